using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Npgsql;

namespace Connect.Cli.Tests;

/// <summary>
/// <c>signals status</c> over a database of its own (its totals count every receiver): the totals, each receiver's
/// part, and never a subject, a session id or a token.
/// </summary>
public sealed class SignalsStatusCommandTests(CliDatabase db) : IClassFixture<CliDatabase>
{
    private static readonly (string, JsonValueKind)[] Status =
    [
        ("pending", JsonValueKind.Number), ("oldestPendingSeconds", JsonValueKind.Number), ("deadLetters", JsonValueKind.Number),
        ("receivers", JsonValueKind.Array),
    ];

    [Fact]
    public async Task Status_counts_pending_and_dead_signals_in_all_and_per_receiver_without_subjects_or_sessions()
    {
        var empty = (await db.RunAsync("signals", "status")).AssertJson(Status);
        var first = await RegisterAsync();
        var second = await RegisterAsync();
        var slow = await AddAsync(first, "https://slow.example/caep", "caep");
        var broken = await AddAsync(second, "https://broken.example/logout", "backchannel-logout");
        var idle = await AddAsync(second, "https://idle.example/logout", "backchannel-logout");
        await InsertAsync(slow, "pending", TimeSpan.FromHours(2), "timeout");
        await InsertAsync(slow, "pending", TimeSpan.FromMinutes(1), null);
        await InsertAsync(broken, "dead", TimeSpan.FromHours(25), "status 500");
        await InsertAsync(broken, "dead", TimeSpan.FromHours(25), "status 410");
        await InsertAsync(broken, "pending", TimeSpan.FromMinutes(30), null);

        var run = await db.RunAsync("signals", "status");

        Assert.Equal((0, 0, 0, 0), Totals(empty));
        var json = run.AssertJson(Status);
        Assert.Equal(3, json.GetProperty("pending").GetInt32());
        Assert.InRange(json.GetProperty("oldestPendingSeconds").GetInt64(), 2 * 3600, 3 * 3600);
        Assert.Equal(2, json.GetProperty("deadLetters").GetInt32());
        var listed = json.GetProperty("receivers").EnumerateArray().ToList();
        // By anchor, then oldest first.
        Assert.Equal(
            string.CompareOrdinal(first, second) < 0 ? [slow, broken, idle] : [broken, idle, slow],
            listed.Select(receiver => receiver.GetProperty("receiverId").GetString()!));
        var receivers = listed.ToDictionary(receiver => receiver.GetProperty("receiverId").GetString()!);
        Assert.All(receivers.Values, receiver => Assert.Equal(
            ["anchor", "receiverId", "url", "format", "pending", "deadLetters", "oldestPendingSeconds", "lastOutcome"],
            receiver.EnumerateObject().Select(property => property.Name)));
        Assert.Equal((first, "https://slow.example/caep", "caep", 2, 0, "timeout"), Part(receivers[slow]));
        Assert.InRange(receivers[slow].GetProperty("oldestPendingSeconds").GetInt64(), 2 * 3600, 3 * 3600);
        Assert.Equal((second, "https://broken.example/logout", "backchannel-logout", 1, 2, "status 410"), Part(receivers[broken]));
        Assert.InRange(receivers[broken].GetProperty("oldestPendingSeconds").GetInt64(), 30 * 60, 3600);
        Assert.Equal((second, "https://idle.example/logout", "backchannel-logout", 0, 0, null), Part(receivers[idle]));
        Assert.Equal(0, receivers[idle].GetProperty("oldestPendingSeconds").GetInt64());
        Assert.DoesNotContain("subject-", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("sid-", run.Stdout, StringComparison.Ordinal);
    }

    private static (int, long, int, int) Totals(JsonElement json) => (
        json.GetProperty("pending").GetInt32(), json.GetProperty("oldestPendingSeconds").GetInt64(),
        json.GetProperty("deadLetters").GetInt32(), json.GetProperty("receivers").GetArrayLength());

    private static (string?, string?, string?, int, int, string?) Part(JsonElement receiver) => (
        receiver.GetProperty("anchor").GetString(), receiver.GetProperty("url").GetString(), receiver.GetProperty("format").GetString(),
        receiver.GetProperty("pending").GetInt32(), receiver.GetProperty("deadLetters").GetInt32(), receiver.GetProperty("lastOutcome").GetString());

    private async Task<string> RegisterAsync()
    {
        var anchor = CliDatabase.NewAnchor();
        using var key = RSA.Create(2048);
        (await db.RunAsync("app", "register", "--anchor", anchor, "--public-key", db.WritePublicKey(key)))
            .AssertJson(("anchor", JsonValueKind.String), ("sectorId", JsonValueKind.String), ("keyId", JsonValueKind.String));
        return anchor;
    }

    private async Task<string> AddAsync(string anchor, string url, string format) =>
        (await db.RunAsync("app", "receiver", "add", "--anchor", anchor, "--url", url, "--format", format))
            .AssertJson(
                ("anchor", JsonValueKind.String), ("receiverId", JsonValueKind.String), ("url", JsonValueKind.String),
                ("format", JsonValueKind.String), ("audience", JsonValueKind.String))
            .GetProperty("receiverId").GetString()!;

    /// <summary>One signal, committed <paramref name="age"/> ago, with the last attempt's outcome when it failed.</summary>
    private async Task InsertAsync(string receiver, string state, TimeSpan age, string? lastOutcome)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.ExecuteAsync(
            """
            INSERT INTO signals (receiver_id, subject, sid, initiating_entity, ended_at, committed_at, state, attempts, last_outcome, dead_at)
            VALUES (@Receiver, 'subject-' || gen_random_uuid(), 'sid-' || gen_random_uuid(), 'policy', now() - @Age, now() - @Age, @State,
                    CASE WHEN @LastOutcome IS NULL THEN 0 ELSE 3 END, @LastOutcome, CASE WHEN @State = 'dead' THEN now() END)
            """,
            new { Receiver = Guid.Parse(receiver), State = state, Age = age, LastOutcome = lastOutcome });
    }
}
