using System.Security.Cryptography;
using System.Text;

namespace Micro.Bot.Xmpp;

/// <summary>The client side of SASL SCRAM (RFC 5802, RFC 7677): SCRAM-SHA-1 and SCRAM-SHA-256, without channel binding.</summary>
internal sealed class Scram(string mechanism, string user, string password)
{
    private readonly HashAlgorithmName _hash = mechanism == "SCRAM-SHA-256" ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA1;
    private readonly string _clientNonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24));
    private string _clientFirstBare = "";
    private byte[] _serverSignature = [];

    public string Mechanism => mechanism;

    public byte[] ClientFirst()
    {
        _clientFirstBare = $"n={Escape(user)},r={_clientNonce}";
        return Encoding.UTF8.GetBytes("n,," + _clientFirstBare);
    }

    /// <summary>The client-final message for the server-first message; throws when the server's answer is unusable.</summary>
    public byte[] ClientFinal(byte[] serverFirst)
    {
        var text = Encoding.UTF8.GetString(serverFirst);
        var fields = Parse(text);
        var nonce = fields.GetValueOrDefault('r') ?? throw new InvalidOperationException("SCRAM: the server sent no nonce");
        if (!nonce.StartsWith(_clientNonce, StringComparison.Ordinal))
        {
            throw new InvalidOperationException("SCRAM: the server's nonce does not extend ours");
        }

        var salt = Convert.FromBase64String(fields.GetValueOrDefault('s') ?? throw new InvalidOperationException("SCRAM: no salt"));
        var iterations = int.Parse(fields.GetValueOrDefault('i') ?? throw new InvalidOperationException("SCRAM: no iteration count"), System.Globalization.CultureInfo.InvariantCulture);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, _hash, _hash == HashAlgorithmName.SHA256 ? 32 : 20);
        var clientKey = Hmac(salted, "Client Key");
        var storedKey = _hash == HashAlgorithmName.SHA256 ? SHA256.HashData(clientKey) : SHA1.HashData(clientKey);
        var withoutProof = $"c={Convert.ToBase64String("n,,"u8)},r={nonce}";
        var authMessage = Encoding.UTF8.GetBytes($"{_clientFirstBare},{text},{withoutProof}");
        var signature = Hmac(storedKey, authMessage);
        var proof = new byte[clientKey.Length];
        for (var i = 0; i < proof.Length; i++)
        {
            proof[i] = (byte)(clientKey[i] ^ signature[i]);
        }

        _serverSignature = Hmac(Hmac(salted, "Server Key"), authMessage);
        return Encoding.UTF8.GetBytes($"{withoutProof},p={Convert.ToBase64String(proof)}");
    }

    /// <summary>True when the server proved it knows the password too (its signature in server-final).</summary>
    public bool Verify(byte[] serverFinal)
    {
        var fields = Parse(Encoding.UTF8.GetString(serverFinal));
        return fields.TryGetValue('v', out var v) && CryptographicOperations.FixedTimeEquals(Convert.FromBase64String(v), _serverSignature);
    }

    private byte[] Hmac(byte[] key, string data) => Hmac(key, Encoding.UTF8.GetBytes(data));

    private byte[] Hmac(byte[] key, byte[] data) => _hash == HashAlgorithmName.SHA256 ? HMACSHA256.HashData(key, data) : HMACSHA1.HashData(key, data);

    private static Dictionary<char, string> Parse(string message)
        => message.Split(',').Where(p => p.Length > 1 && p[1] == '=').ToDictionary(p => p[0], p => p[2..]);

    private static string Escape(string name) => name.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal);
}
