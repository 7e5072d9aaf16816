using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Connect.Benchmarks.Data;
using Connect.Load;
using Npgsql;

namespace Connect.Benchmarks.Load;

/// <summary>
/// What one kind of run sends and how its work is checked: the requests for a batch of targets (each carrying the
/// answer it must get), how the data set is re-armed before a batch (outside the timed window), and what the
/// database shows afterwards (docs/contract/bench.md's <c>revoked</c>), to compare with what the answers claimed.
/// </summary>
internal abstract class Workload(Dataset data)
{
    public Dataset Data { get; } = data;

    /// <summary>What the read-back counts, in the words of a report line.</summary>
    public abstract string ReadBackName { get; }

    /// <summary>How long a batch stays sendable after it was prepared (client JWTs live 60 s); null when it does not expire.</summary>
    public virtual double? ValidForSeconds => null;

    public abstract PreparedRequest[] Prepare(IReadOnlyList<int> targets, int port);

    public abstract Task RearmAsync(CancellationToken cancellationToken);

    /// <summary>The work the database shows for one batch (after it, before the next re-arm).</summary>
    /// <param name="since">The database clock when the batch started.</param>
    public abstract Task<long> ReadBackAsync(
        DateTime since, IReadOnlyList<PreparedRequest> requests, SegmentResult result, CancellationToken cancellationToken);

    /// <summary>
    /// The request for a session-token target, built once per target and server: a lifecycle batch may name a
    /// session many times (introspection) and a run many batches, and the bytes are the same every time.
    /// </summary>
    protected static byte[] Cached(ref (int Port, byte[]?[] Bytes) cache, int sessions, int target, int port, Func<byte[]> build)
    {
        if (cache.Port != port || cache.Bytes is null)
        {
            cache = (port, new byte[]?[sessions]);
        }

        return cache.Bytes[target] ??= build();
    }

    /// <summary>A complete HTTP/1.1 request with a JSON body of one string member, as the SDKs send a session token.</summary>
    protected static byte[] JsonPost(string path, int port, string member, string value) =>
        Request(path, port, Encoding.UTF8.GetBytes($$"""{"{{member}}":"{{value}}"}"""));

    /// <summary>A complete HTTP/1.1 POST of a JSON body.</summary>
    protected static byte[] Request(string path, int port, byte[] body)
    {
        var head = string.Create(CultureInfo.InvariantCulture, $"""
            POST {path} HTTP/1.1
            Host: 127.0.0.1:{port}
            Content-Type: application/json
            Content-Length: {body.Length}


            """).ReplaceLineEndings("\r\n");
        var bytes = new byte[Encoding.ASCII.GetByteCount(head) + body.Length];
        var written = Encoding.ASCII.GetBytes(head, bytes);
        body.CopyTo(bytes, written);
        return bytes;
    }
}

/// <summary><c>POST /revoke-all</c>: a fresh client JWT per request (<see cref="RequestMinter"/>), 200 with the pair's count.</summary>
internal sealed class RevokeAllWorkload(
    Dataset data, IReadOnlyList<RSAParameters> clientKeys, Func<CancellationToken, Task> rearm,
    Func<DateTime, CancellationToken, Task<long>> countRevokedSince)
    : Workload(data)
{
    public override string ReadBackName => "tokens revoked";

    public override double? ValidForSeconds => RequestMinter.LifetimeSeconds - 5;

    public override PreparedRequest[] Prepare(IReadOnlyList<int> targets, int port) =>
        new RequestMinter(Data.Shape, clientKeys, port).Mint(targets, DateTimeOffset.UtcNow);

    public override Task RearmAsync(CancellationToken cancellationToken) => rearm(cancellationToken);

    public override Task<long> ReadBackAsync(
        DateTime since, IReadOnlyList<PreparedRequest> requests, SegmentResult result, CancellationToken cancellationToken) =>
        countRevokedSince(since, cancellationToken);
}

/// <summary>
/// <c>POST /refresh</c> with <c>{"refreshToken":...}</c>: each request a distinct active session of the batch, its
/// seeded version-1 token; the answer must be 200 with both tokens. Read back: the sessions whose version advanced.
/// </summary>
internal sealed class RefreshWorkload(Dataset data, LifecycleData sessions) : Workload(data)
{
    private (int Port, byte[]?[] Bytes) _requests;

    public override string ReadBackName => "sessions whose version advanced";

    public override PreparedRequest[] Prepare(IReadOnlyList<int> targets, int port) =>
    [
        .. targets.Select(n => new PreparedRequest(
            n,
            Expectation.BothTokens,
            Cached(ref _requests, sessions.Sessions, n, port, () => Request(ClientRequests.RefreshPath, port, ClientRequests.RefreshBody(sessions.RefreshTokens[n]))))),
    ];

    public override Task RearmAsync(CancellationToken cancellationToken) => LifecycleRearm.RunAsync(Data, cancellationToken);

    public override async Task<long> ReadBackAsync(
        DateTime since, IReadOnlyList<PreparedRequest> requests, SegmentResult result, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(Data.SuperuserConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var count = new NpgsqlCommand(LifecycleData.AdvancedSql, connection);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }
}

/// <summary>
/// <c>POST /introspect</c> with <c>{"accessToken":...}</c> over every session, active and revoked (a session may recur
/// in a batch: introspection changes nothing); the answer must be 200 with the status the session was seeded in.
/// Read back: the answers whose status is the session's real state.
/// </summary>
internal sealed class IntrospectWorkload(Dataset data, LifecycleData sessions) : Workload(data)
{
    private (int Port, byte[]?[] Bytes) _requests;

    public override string ReadBackName => "answers matching the session's state";

    public override PreparedRequest[] Prepare(IReadOnlyList<int> targets, int port) =>
    [
        .. targets.Select(n => new PreparedRequest(
            n,
            Expectation.Status(LifecycleData.IsRevoked(n) ? IntrospectStatus.Revoked : IntrospectStatus.Active),
            Cached(ref _requests, sessions.Sessions, n, port, () => JsonPost("/introspect", port, "accessToken", sessions.AccessTokens[n])))),
    ];

    public override Task RearmAsync(CancellationToken cancellationToken) => LifecycleRearm.RunAsync(Data, cancellationToken);

    public override async Task<long> ReadBackAsync(
        DateTime since, IReadOnlyList<PreparedRequest> requests, SegmentResult result, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(Data.SuperuserConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var query = new NpgsqlCommand(LifecycleData.StatusesSql, connection);
        var targets = requests.Select(request => request.Target).Distinct().ToArray();
        query.Parameters.AddWithValue("Sids", targets.Select(n => sessions.Sids[n]).ToArray());
        query.Parameters.AddWithValue("Subjects", targets.Select(DataShape.Subject).ToArray());
        var real = new Dictionary<string, int>(requests.Count, StringComparer.Ordinal);
        await using (var rows = await query.ExecuteReaderAsync(cancellationToken))
        {
            while (await rows.ReadAsync(cancellationToken))
            {
                real[rows.GetString(0)] = rows.GetInt32(1);
            }
        }

        long matched = 0;
        for (var i = 0; i < requests.Count; i++)
        {
            if (result.ValueOf(i) is { } answered && real.TryGetValue(sessions.Sids[requests[i].Target], out var state) && answered == state)
            {
                matched++;
            }
        }

        return matched;
    }
}

/// <summary>
/// <c>POST /redeem</c> with the three keys of pair <c>n</c>'s realized inquiry (each at most once a batch); the answer must
/// be 200 with both tokens. Re-armed between batches (<see cref="LifecycleData.RedeemRearmSql"/>); read back: the
/// inquiries redeemed whose session the database holds.
/// </summary>
internal sealed class RedeemWorkload(Dataset data, LifecycleData sessions) : Workload(data)
{
    private (int Port, byte[]?[] Bytes) _requests;

    public override string ReadBackName => "inquiries redeemed with their session";

    public override PreparedRequest[] Prepare(IReadOnlyList<int> targets, int port) =>
    [
        .. targets.Select(n => new PreparedRequest(
            n,
            Expectation.BothTokens,
            Cached(ref _requests, sessions.Sessions, n, port, () => RedeemPost(port, sessions.Inquiries[n])))),
    ];

    public override async Task RearmAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(Data.SuperuserConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var rearm = new NpgsqlCommand(LifecycleData.RedeemRearmSql, connection) { CommandTimeout = 0 })
        {
            await rearm.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var vacuum = new NpgsqlCommand("VACUUM sessions, inquiries, revocation_audit", connection) { CommandTimeout = 0 };
        await vacuum.ExecuteNonQueryAsync(cancellationToken);
    }

    public override async Task<long> ReadBackAsync(
        DateTime since, IReadOnlyList<PreparedRequest> requests, SegmentResult result, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(Data.SuperuserConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var count = new NpgsqlCommand(LifecycleData.RedeemedSql, connection);
        return (long)(await count.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>The SDK's body: the three keys, base64url (nothing to escape).</summary>
    private static byte[] RedeemPost(int port, LifecycleData.InquiryKeysOfPair keys)
    {
        var body = Encoding.UTF8.GetBytes(
            $$"""{"exposureKey":"{{keys.ExposureKey}}","hiddenKey":"{{keys.HiddenKey}}","confirmationKey":"{{keys.ConfirmationKey}}"}""");
        return Request("/redeem", port, body);
    }
}

internal static class LifecycleRearm
{
    /// <summary>Restores the sessions the last batch changed; vacuums only when it changed any.</summary>
    public static async Task RunAsync(Dataset data, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(data.SuperuserConnectionString);
        await connection.OpenAsync(cancellationToken);
        int restored;
        await using (var rearm = new NpgsqlCommand(LifecycleData.RearmSql, connection) { CommandTimeout = 0 })
        {
            restored = await rearm.ExecuteNonQueryAsync(cancellationToken);
        }

        if (restored > 0)
        {
            await using var vacuum = new NpgsqlCommand("VACUUM sessions", connection) { CommandTimeout = 0 };
            await vacuum.ExecuteNonQueryAsync(cancellationToken);
        }
    }
}
