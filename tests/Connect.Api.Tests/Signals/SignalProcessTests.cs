using Connect.Application.Signals;
using Connect.Application.SigningKeys;
using Connect.Infrastructure;
using Connect.Testing.Hosting;
using Connect.Testing.Postgres;
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
        var settings = ShippedService.Settings(
            db.ConnectionString, SigningKeyEncryption.NewKeyEncryptionKey(), DeliveryTimeoutSeconds, LeaseSeconds);

        await using var first = await ShippedService.StartAsync(settings);
        Assert.Equal(3, await first.RevokeAllAsync(app, subject.Value));
        await SignalService.EventuallyAsync(
            () => Task.FromResult(receiver.At("killed").Count == 1), $"instance A's request at the receiver\n{first.Log}");
        var heldBy = await LeaseHolderAsync(db);
        await first.KillAsync();
        var afterKill = await OutboxCountAsync(db);

        await using var second = await ShippedService.StartAsync(settings);
        await SignalService.EventuallyAsync(
            async () => receiver.At("killed").Count >= 2 && await OutboxCountAsync(db) == 0,
            $"instance B's delivery\n{second.Log}");

        Assert.True(first.HasExited);
        Assert.NotNull(heldBy);
        Assert.Equal(1, afterKill); // the kill lost nothing: the claimed signal is still owed
        var attempts = receiver.At("killed"); // A's held request, then B's (more only if B's answer was lost)
        var jwks = await JwksAsync(second, app);
        var fromA = await SignalTokens.VerifiedPayloadAsync(attempts[0].Token, jwks, SignalTokenMinter.LogoutTokenType, app.Anchor.Value);
        var fromB = await SignalTokens.VerifiedPayloadAsync(attempts[1].Token, jwks, SignalTokenMinter.LogoutTokenType, app.Anchor.Value);
        Assert.Equal((subject.Value, subject.Value), (fromA.GetProperty("sub").GetString(), fromB.GetProperty("sub").GetString()));
        Assert.False(fromB.TryGetProperty("sid", out _));
        Assert.NotEqual(fromA.GetProperty("jti").GetString(), fromB.GetProperty("jti").GetString());
        var audit = await AuditAsync(db, app);
        Assert.Equal([("revoke_all", (int?)3)], audit); // one revocation, no dead letter: what the receiver got
    }

    [Fact]
    public async Task Two_instances_at_once_deliver_every_answered_revocation_once_and_nothing_for_a_revocation_of_nothing()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        await using var receiver = await TestSignalReceiver.StartAsync();
        var app = await db.RegisterApplicationAsync();
        await AddReceiverAsync(db, app, receiver.UrlFor("both"), "caep");
        var subjects = new List<string>();
        for (var i = 0; i < 50; i++)
        {
            var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
            if (i % 5 != 0) // every fifth has no session: its revoke-all revokes nothing
            {
                await db.IssueSessionsAsync(account, app.Id, 1 + (i % 3));
            }

            subjects.Add(subject.Value);
        }

        var settings = ShippedService.Settings(
            db.ConnectionString, SigningKeyEncryption.NewKeyEncryptionKey(), DeliveryTimeoutSeconds, LeaseSeconds);
        await using var first = await ShippedService.StartAsync(settings);
        await using var second = await ShippedService.StartAsync(settings);

        var answers = await Task.WhenAll(subjects.Select(async (subject, i) =>
            (Subject: subject, Revoked: await (i % 2 == 0 ? first : second).RevokeAllAsync(app, subject))));
        await SignalService.EventuallyAsync(
            async () => await OutboxCountAsync(db) == 0, $"the outbox emptied\n{first.Log}\n{second.Log}", seconds: 120);

        var owed = answers.Where(answer => answer.Revoked > 0).Select(answer => answer.Subject).ToHashSet();
        Assert.Equal(40, owed.Count); // the seeding's own check: 40 revoked something, 10 nothing
        var jwks = await JwksAsync(first, app);
        var delivered = new List<(string Subject, string Jti)>();
        foreach (var attempt in receiver.At("both"))
        {
            var payload = await SignalTokens.VerifiedPayloadAsync(attempt.Token, jwks, "secevent+jwt", app.Anchor.Value);
            Assert.False(payload.GetProperty("sub_id").TryGetProperty("session", out _)); // subject-wide
            delivered.Add((SignalTokens.Subject(payload), payload.GetProperty("jti").GetString()!));
        }

        Assert.Equal(delivered.Count, delivered.Select(signal => signal.Jti).Distinct().Count()); // a fresh token per attempt
        Assert.Equal(owed.Order(StringComparer.Ordinal), delivered.Select(signal => signal.Subject).Distinct().Order(StringComparer.Ordinal));
        Assert.All(owed, subject => Assert.Equal(1, receiver.MostAtOnce(subject))); // never in flight at both at once
    }

    [Fact]
    public async Task PostgreSQL_restart_while_the_receiver_is_down_loses_no_signal()
    {
        await using var cluster = await PrivatePostgresCluster.StartNewAsync();
        await using var db = ConnectTestDatabase.For(cluster.ConnectionString);
        var app = await db.RegisterApplicationAsync();
        var port = LoopbackPort.Free(); // nothing listens there yet: the receiver is down
        await AddReceiverAsync(db, app, $"http://127.0.0.1:{port}/restart");
        var subjects = new List<(string Subject, bool HasSessions)>();
        for (var i = 0; i < 6; i++)
        {
            var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
            if (i != 0)
            {
                await db.IssueSessionsAsync(account, app.Id, 2);
            }

            subjects.Add((subject.Value, i != 0));
        }

        var settings = ShippedService.Settings(
            cluster.ConnectionString, SigningKeyEncryption.NewKeyEncryptionKey(), DeliveryTimeoutSeconds, LeaseSeconds);
        settings["Connect__Signals__MaxBackoffSeconds"] = "2"; // retries soon after the receiver is back
        await using var service = await ShippedService.StartAsync(settings);
        var owed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (subject, hasSessions) in subjects)
        {
            Assert.Equal(hasSessions ? 2 : 0, await service.RevokeAllAsync(app, subject));
            if (hasSessions)
            {
                owed.Add(subject);
            }
        }

        await SignalService.EventuallyAsync(
            async () => await AttemptedCountAsync(db) == owed.Count, $"every signal tried against the down receiver\n{service.Log}");
        await cluster.StopAsync();
        var stoppedAt = DateTime.UtcNow;
        while (DateTime.UtcNow - stoppedAt < TimeSpan.FromSeconds(2))
        {
            await Task.Delay(100); // the worker polls a database that is gone, a few times
        }

        await cluster.StartAsync();
        db.ForgetIdleConnections();
        NpgsqlConnection.ClearAllPools();
        await using var receiver = await TestSignalReceiver.StartAsync(port);
        await SignalService.EventuallyAsync(
            async () => await OutboxCountAsync(db) == 0, $"the outbox emptied after the restart\n{service.Log}", seconds: 120);

        var jwks = await JwksAsync(service, app);
        var delivered = new List<string>();
        foreach (var attempt in receiver.At("restart"))
        {
            var payload = await SignalTokens.VerifiedPayloadAsync(attempt.Token, jwks, SignalTokenMinter.LogoutTokenType, app.Anchor.Value);
            delivered.Add(SignalTokens.Subject(payload));
        }

        Assert.True(delivered.Count >= owed.Count, $"{delivered.Count} delivered, {owed.Count} owed");
        Assert.Equal(owed.Order(StringComparer.Ordinal), delivered.Distinct().Order(StringComparer.Ordinal));
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

    private static async Task<long> AttemptedCountAsync(ConnectTestDatabase db)
    {
        await using var connection = new NpgsqlConnection(db.ConnectionString);
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM signals WHERE attempts > 0");
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
