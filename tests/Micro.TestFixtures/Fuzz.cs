using System.Diagnostics;

namespace Micro.TestFixtures;

/// <summary>
/// A small mutation fuzzer: valid seeds, changed the ways real corruption and attacks change them (bit flips, edge
/// bytes, cuts, insertions, repeats, splices, garbage). Deterministic per seed number, so a failure replays. The number
/// of inputs per target is <c>iterations</c> times <c>MICRO_FUZZ_SCALE</c> (default 1; set it higher for a long run).
/// </summary>
public sealed class Fuzz(int seed)
{
    private static readonly byte[] Interesting = [0, 1, 0x7F, 0x80, 0xFF, (byte)'"', (byte)'{', (byte)'}', (byte)'[', (byte)'\\', (byte)':', (byte)'/', (byte)'%', (byte)'?', (byte)'.', 0xC0, 0xED];
    private readonly Random _random = new(seed);

    public static int Scale => int.TryParse(Environment.GetEnvironmentVariable("MICRO_FUZZ_SCALE"), out var s) && s > 0 ? s : 1;

    public Random Random => _random;

    /// <summary>One malformed input made from one (or two) of the seeds.</summary>
    public byte[] Next(IReadOnlyList<byte[]> seeds)
    {
        var input = seeds[_random.Next(seeds.Count)].ToList();
        var rounds = 1 + _random.Next(4);
        for (var r = 0; r < rounds; r++)
        {
            switch (_random.Next(9))
            {
                case 0 when input.Count > 0:
                    input[_random.Next(input.Count)] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1 when input.Count > 0:
                    input[_random.Next(input.Count)] = Interesting[_random.Next(Interesting.Length)];
                    break;
                case 2 when input.Count > 0:
                    input = input.Take(_random.Next(input.Count + 1)).ToList(); // cut short
                    break;
                case 3:
                    input.InsertRange(_random.Next(input.Count + 1), Bytes(_random.Next(1, 32)));
                    break;
                case 4 when input.Count > 1:
                    var from = _random.Next(input.Count);
                    var length = Math.Min(input.Count - from, _random.Next(1, 64));
                    input.InsertRange(_random.Next(input.Count + 1), input.GetRange(from, length)); // repeat a piece
                    break;
                case 5 when input.Count > 1:
                    var start = _random.Next(input.Count);
                    input.RemoveRange(start, Math.Min(input.Count - start, _random.Next(1, 32)));
                    break;
                case 6:
                    var other = seeds[_random.Next(seeds.Count)];
                    var cut = _random.Next(input.Count + 1);
                    input = input.Take(cut).Concat(other.Skip(_random.Next(other.Length + 1))).ToList(); // splice
                    break;
                case 7 when input.Count >= 4:
                    // Lengths and counts: a big-endian field set to an edge value.
                    var at = _random.Next(input.Count - 3);
                    var edge = new[] { 0u, 1u, 0x7FFFu, 0xFFFFu, 0x7FFFFFFFu, 0xFFFFFFFFu, (uint)_random.Next() }[_random.Next(7)];
                    input[at] = (byte)(edge >> 24);
                    input[at + 1] = (byte)(edge >> 16);
                    input[at + 2] = (byte)(edge >> 8);
                    input[at + 3] = (byte)edge;
                    break;
                default:
                    if (_random.Next(8) == 0)
                    {
                        input = Bytes(_random.Next(0, 256)).ToList(); // garbage
                    }

                    break;
            }
        }

        return input.ToArray();
    }

    public byte[] Bytes(int count)
    {
        var bytes = new byte[count];
        _random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// Feeds <paramref name="iterations"/> × <see cref="Scale"/> inputs to <paramref name="target"/> on a worker, failing
    /// with the input (hex) when it throws what <paramref name="allowed"/> does not accept, when the whole run exceeds
    /// <paramref name="limit"/> (a hang), or when memory still held afterwards grew by more than 64 MB.
    /// </summary>
    /// <returns>How many inputs ran and how many were rejected with an allowed error.</returns>
    public static async Task<(long Inputs, long Rejected)> RunAsync(int seed, IReadOnlyList<byte[]> seeds, int iterations, Action<byte[]> target,
        Func<Exception, bool> allowed, TimeSpan limit)
    {
        var fuzz = new Fuzz(seed);
        var total = (long)iterations * Scale;
        long rejected = 0;
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var run = Task.Run(() =>
        {
            for (long i = 0; i < total; i++)
            {
                var input = fuzz.Next(seeds);
                try
                {
                    target(input);
                }
                catch (Exception e) when (allowed(e))
                {
                    rejected++;
                }
                catch (Exception e)
                {
                    throw new InvalidOperationException($"input #{i} (seed {seed}) crashed the target with {e.GetType().Name}: {e.Message}\ninput: {Convert.ToHexString(input)}", e);
                }
            }
        });
        var clock = Stopwatch.StartNew();
        try
        {
            await run.WaitAsync(limit);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"fuzzing did not finish {total} inputs within {limit} (seed {seed}): a hang or a pathological slowdown");
        }

        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;
        if (grown > 64L * 1024 * 1024)
        {
            throw new InvalidOperationException($"memory held after {total} inputs grew by {grown / (1024 * 1024)} MB");
        }

        Console.WriteLine($"FUZZ seed {seed}: {total} inputs, {rejected} rejected with a clean error, {clock.Elapsed.TotalSeconds:0.0} s");
        return (total, rejected);
    }
}
