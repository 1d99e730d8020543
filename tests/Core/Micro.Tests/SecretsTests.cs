using Micro.Diagnostics;

namespace Micro.Tests;

public sealed class SecretsTests
{
    [Theory]
    [InlineData("password", true)]
    [InlineData("DB-Password", true)]
    [InlineData("api_token", true)]
    [InlineData("X-Api-Key", true)]
    [InlineData("cache_key", false)] // "key" alone is too common (shard key, cache key)
    [InlineData("apikey", true)]
    [InlineData("clientSecret", true)]
    [InlineData("Authorization", true)]
    [InlineData("aws.credentials", true)]
    [InlineData("private_key", true)]
    [InlineData("region", false)]
    [InlineData("version", false)]
    [InlineData("author", false)]
    public void Secret_looking_keys_are_recognised(string key, bool secret) => Assert.Equal(secret, Secrets.IsSecretKey(key));

    [Theory]
    [InlineData("amqp://guest:guest@127.0.0.1:5672/", "amqp://guest:[redacted]@127.0.0.1:5672/")]
    [InlineData("nats://a:b@h1:4222,nats://c:d@h2:4222", "nats://a:[redacted]@h1:4222,nats://c:[redacted]@h2:4222")]
    [InlineData("nats://token@127.0.0.1:4222", "nats://token@127.0.0.1:4222")]
    [InlineData("http://127.0.0.1:8080/path?q=a@b", "http://127.0.0.1:8080/path?q=a@b")]
    [InlineData("no url here", "no url here")]
    public void Passwords_in_urls_are_masked(string text, string shown) => Assert.Equal(shown, Secrets.Urls(text));

    [Fact]
    public void Metadata_is_masked_by_key_and_left_alone_when_nothing_is_secret()
    {
        var plain = new Dictionary<string, string> { ["region"] = "eu" };
        Assert.Same(plain, Secrets.Metadata(plain));
        Assert.Null(Secrets.Metadata(null));

        var shown = Secrets.Metadata(new Dictionary<string, string> { ["region"] = "eu", ["token"] = "abc", ["db"] = "postgres://u:p@h/db" })!;
        Assert.Equal("eu", shown["region"]);
        Assert.Equal(Secrets.Mask, shown["token"]);
        Assert.Equal("postgres://u:[redacted]@h/db", shown["db"]);
    }
}
