using System.Globalization;

namespace Connect.Benchmarks.Data;

/// <summary>
/// The seeded world, as arithmetic on a pair index so that the harness, the seeder and pgbench's scripts all
/// agree without a lookup table. Every account holds tokens with <see cref="PairsPerAccount"/> distinct
/// applications (one pair each); pair <c>n</c> has 2 + n % 5 active tokens (2..6, 4 on average), so every
/// account holds 100 tokens and every request, on any data size, revokes the same 2..6 tokens.
/// Each application has a sector of its own, so every pair also has its own subject.
/// </summary>
internal sealed record DataShape(string Database, int Accounts, int Applications)
{
    public const int PairsPerAccount = 25;
    public const int TokensPerAccount = 100;

    /// <summary>Anchors are decimal strings so that pgbench, which has integer variables only, can name them.</summary>
    public const int AnchorBase = 1_000_000;

    /// <summary>Seeds pgbench's hash_murmur2 too (its <c>-D subjectseed=</c>).</summary>
    public const long SubjectSeed = 0x5EC7_0B5E_C7;

    public int Pairs => Accounts * PairsPerAccount;

    public long Tokens => (long)Accounts * TokensPerAccount;

    public static int TokensOf(int pair) => 2 + (pair % 5);

    public static int AccountOf(int pair) => pair / PairsPerAccount;

    /// <summary>Distinct for the 25 pairs of one account (k * 40 &lt; 1000), spread over all applications.</summary>
    public int ApplicationOf(int pair) =>
        (int)(((long)AccountOf(pair) * 7919 + (long)(pair % PairsPerAccount) * 40) % Applications);

    public static string Anchor(int application) => (AnchorBase + application).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Application and sector ids spell the anchor in their last 12 digits, so that pgbench can name them too
    /// (the service finds them in its cache, not by a statement).
    /// </summary>
    public static Guid ApplicationId(int application) => Guid.Parse(ApplicationIdPrefix + (AnchorBase + application).ToString("D12", CultureInfo.InvariantCulture));

    public static Guid SectorId(int application) => Guid.Parse(SectorIdPrefix + (AnchorBase + application).ToString("D12", CultureInfo.InvariantCulture));

    public const string ApplicationIdPrefix = "00000000-0000-7000-8000-";

    public const string SectorIdPrefix = "00000000-0000-7000-9000-";

    /// <summary><see cref="ApplicationId"/> and <see cref="SectorId"/> in SQL, from pgbench's <c>:anchor</c>.</summary>
    public static string PgbenchIdExpression(string prefix) => $"('{prefix}' || lpad(:anchor::text, 12, '0'))::uuid";

    /// <summary>An opaque subject per pair: pgbench's <c>hash_murmur2(pair, seed)</c>, in decimal.</summary>
    public static string Subject(int pair) => Murmur2(pair, (ulong)SubjectSeed).ToString(CultureInfo.InvariantCulture);

    /// <summary>pgbench's getHashMurmur2 (src/bin/pgbench/pgbench.c), so both sides compute the same subjects.</summary>
    public static long Murmur2(long value, ulong seed)
    {
        const ulong mul = 0xc6a4a7935bd1e995;
        const ulong mulTimes8 = 0x35253c9ade8f4ca8;
        const int rot = 47;
        unchecked
        {
            var result = seed ^ mulTimes8;
            var k = (ulong)value;
            k *= mul;
            k ^= k >> rot;
            k *= mul;
            result ^= k;
            result *= mul;
            result ^= result >> rot;
            result *= mul;
            result ^= result >> rot;
            return (long)result;
        }
    }

    /// <summary>The same arithmetic as pgbench expressions, for its scripts.</summary>
    public static string PgbenchApplicationExpression(int applications) => string.Create(
        CultureInfo.InvariantCulture,
        $"{AnchorBase} + ((:n / {PairsPerAccount}) * 7919 + (:n % {PairsPerAccount}) * 40) % {applications}");
}
