using Connect.Application.Signals;
using Connect.Application.SigningKeys;
using Connect.Testing.Seeding;
using Connect.Testing.Signals;
using Dapper;
using Npgsql;

namespace Connect.Api.Tests.Signals;

/// <summary>
/// docs/contract/signals.md "Delivery" as an operator lives it, with the service as shipped in processes of its own:
/// an instance killed with a real SIGKILL while a receiver holds its request; another instance, started afterwards,
/// sends the signal again once the first one's lease has run out.
/// </summary>
public sealed class SignalProcessTests
{
    // The shortest lease the settings allow for a 5 s attempt: twice the timeout plus 5 s.
    private const int DeliveryTimeoutSeconds = 5;
    private const int LeaseSeconds = (2 * DeliveryTimeoutSeconds) + 5;

    [Fact]
    public async Task Instance_killed_mid_delivery_leaves_its_signal_to_the_next_instance_after_the_lease()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        await using var receiver = await TestSignalReceiver.StartAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        await db.IssueSessionsAsync(account, app.Id, 3);
        await AddReceiverAsync(db, app, receiver.UrlFor("killed"));
        receiver.Script("killed", ReceiverReply.NeverAnswer()); // A's request is held; every later one is answered
        var settings = ServiceProcess.Settings(
            db.ConnectionString, SigningKeyEncryption.NewKeyEncryptionKey(), DeliveryTimeoutSeconds, LeaseSeconds);

        await using var first = await ServiceProcess.StartAsync(settings);
        Assert.Equal(3, await first.RevokeAllAsync(app, subject.Value));
        await SignalService.EventuallyAsync(
            () => Task.FromResult(receiver.At("killed").Count == 1), $"instance A's request at the receiver\n{first.Log}");
        var heldBy = await LeaseHolderAsync(db);
        await first.KillAsync();
        var afterKill = await OutboxCountAsync(db);

        await using var second = await ServiceProcess.StartAsync(settings);
        await SignalService.EventuallyAsync(
            async () => receiver.At("killed").Count >= 2 && await OutboxCountAsync(db) == 0,
            $"instance B's delivery\n{second.Log}");

        Assert.True(first.HasExited);
        Assert.NotNull(heldBy);
        Assert.Equal(1, afterKill); // the kill lost nothing: the claimed signal is still owed
        var attempts = receiver.At("killed");
        Assert.Equal(2, attempts.Count); // A's held request, then B's answered one: the lease kept B from sending earlier
        var jwks = await JwksAsync(second, app);
        var fromA = await SignalTokens.VerifiedPayloadAsync(attempts[0].Token, jwks, SignalTokenMinter.LogoutTokenType, app.Anchor.Value);
        var fromB = await SignalTokens.VerifiedPayloadAsync(attempts[1].Token, jwks, SignalTokenMinter.LogoutTokenType, app.Anchor.Value);
        Assert.Equal((subject.Value, subject.Value), (fromA.GetProperty("sub").GetString(), fromB.GetProperty("sub").GetString()));
        Assert.False(fromB.TryGetProperty("sid", out _));
        Assert.NotEqual(fromA.GetProperty("jti").GetString(), fromB.GetProperty("jti").GetString());
        var audit = await AuditAsync(db, app);
        Assert.Equal([("revoke_all", (int?)3)], audit); // one revocation, no dead letter: what the receiver got
    }

    internal static async Task<Guid> AddReceiverAsync(ConnectTestDatabase db, TestApplication app, string url, string format = "backchannel-logout")
    {
        var id = Guid.NewGuid();
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        await connection.ExecuteAsync(
            "INSERT INTO signal_receivers (id, application_id, url, format, audience) VALUES (@id, @app, @url, @format, @audience)",
            new { id, app = app.Id.Value, url, format, audience = app.Anchor.Value });
        return id;
    }

    internal static async Task<long> OutboxCountAsync(ConnectTestDatabase db)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM signals");
    }

    internal static async Task<string> JwksAsync(ServiceProcess service, TestApplication app)
    {
        using var client = service.CreateClient();
        return await client.GetStringAsync(new Uri($"applications/{app.Anchor.Value}/jwks.json", UriKind.Relative));
    }

    private static async Task<string?> LeaseHolderAsync(ConnectTestDatabase db)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        return await connection.QuerySingleOrDefaultAsync<string?>("SELECT leased_by FROM signals");
    }

    private static async Task<List<(string Kind, int? RevokedCount)>> AuditAsync(ConnectTestDatabase db, TestApplication app)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        return [.. (await connection.QueryAsync<(string, int?)>(
            """
            SELECT kind, revoked_count FROM revocation_audit
             WHERE application_id = @app AND kind IN ('revoke_all', 'logout', 'reuse_detected', 'signal_dead_lettered')
             ORDER BY id
            """,
            new { app = app.Id.Value }))];
    }
}
