using Connect.Api.Tests.Observability;
using Connect.Application.Signals;
using Connect.Domain.Signals;
using Connect.Infrastructure.Signals;
using Connect.Testing.Postgres;
using Connect.Testing.Signals;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Connect.Api.Tests.Signals;

/// <summary>
/// The outbox's lease across instances (docs/contract/signals.md "Delivery": at least once, never twice at the same
/// time), and what a worker does when its receivers or its host behave differently from the shared service's.
/// </summary>
public sealed class SignalWorkerTests
{
    [Fact]
    public async Task Two_workers_on_one_database_never_send_the_same_signal_at_the_same_time()
    {
        await using var service = await SignalService.CreateAsync();
        service.StartInstance();
        var app = await service.RegisterAsync();
        var path = $"r-{Guid.NewGuid():N}";
        var receiver = await service.AddReceiverAsync(app, service.Receiver.UrlFor(path), SignalNames.BackchannelLogout);
        // Each answer takes a moment, so that both workers hold claims at once.
        service.Receiver.Script(path, Enumerable.Repeat(ReceiverReply.After(TimeSpan.FromMilliseconds(100), 204), 40).ToArray());

        var signals = new List<long>();
        for (var i = 0; i < 40; i++)
        {
            signals.Add(await service.AddSignalAsync(receiver, "subject", $"sid-{i}"));
        }

        await Task.WhenAll(signals.Select(service.DeliveredAsync));

        var received = service.Receiver.At(path);
        Assert.Equal(40, received.Count);
        Assert.Equal(40, received.Select(signal => signal.SignalKey).Distinct().Count());
        Assert.All(Enumerable.Range(0, 40), i => Assert.Equal(1, service.Receiver.MostAtOnce($"sid-{i}")));
        Assert.Equal(40, received.Select(signal => signal.Token).Distinct().Count());
    }

    [Fact]
    public async Task Signal_claimed_by_an_instance_that_died_is_sent_by_another_once_its_lease_runs_out()
    {
        await using var service = await SignalService.CreateAsync(start: false);
        var app = await service.RegisterAsync();
        var path = $"r-{Guid.NewGuid():N}";
        var receiver = await service.AddReceiverAsync(app, service.Receiver.UrlFor(path), SignalNames.Caep);
        var signal = await service.AddSignalAsync(receiver, "subject", "sid-orphan");
        var outbox = service.Db.Services.GetRequiredService<ISignalOutbox>();
        var noneInFlight = new Dictionary<ReceiverId, int>();

        var dead = Assert.Single(await outbox.ClaimDueAsync("dead-instance", 10, TimeSpan.FromSeconds(1), noneInFlight, 4, default));
        Assert.Empty(await outbox.ClaimDueAsync("other-instance", 10, TimeSpan.FromSeconds(1), noneInFlight, 4, default));
        await SignalService.EventuallyAsync(
            async () => (await outbox.ClaimDueAsync("second-instance", 10, TimeSpan.FromSeconds(1), noneInFlight, 4, default)).Count == 1,
            "the lease ran out and another claim took it");

        // The first holder's late answers match nothing: the newer claim decides.
        Assert.False(await outbox.RecordDeadLetterAsync(dead.Lease, "status 400", default));
        Assert.False(await outbox.RecordRetryAsync(dead.Lease, DateTimeOffset.UtcNow.AddHours(1), "status 503", default));
        Assert.Null(await outbox.RecordDeliveredAsync(dead.Lease, default));
        var row = await service.FindSignalAsync(signal);
        Assert.Equal(("pending", 2, null), (row!.State, row.Attempts, row.LastOutcome));
        Assert.Empty(await service.DeadLetterAuditAsync(receiver));

        service.StartInstance();
        await service.DeliveredAsync(signal);

        Assert.Single(service.Receiver.At(path));
    }

    [Fact]
    public async Task Claims_keep_within_the_per_receiver_cap_counting_what_is_in_flight()
    {
        await using var service = await SignalService.CreateAsync(start: false);
        var app = await service.RegisterAsync();
        var busy = await service.AddReceiverAsync(app, service.Receiver.UrlFor("busy"), SignalNames.Caep);
        var full = await service.AddReceiverAsync(app, service.Receiver.UrlFor("full"), SignalNames.Caep);
        var idle = await service.AddReceiverAsync(app, service.Receiver.UrlFor("idle"), SignalNames.Caep);
        foreach (var receiver in new[] { busy, full, idle })
        {
            for (var i = 0; i < 6; i++)
            {
                await service.AddSignalAsync(receiver, "subject", $"sid-{receiver:N}-{i}");
            }
        }

        var outbox = service.Db.Services.GetRequiredService<ISignalOutbox>();
        var inFlight = new Dictionary<ReceiverId, int> { [new(busy)] = 3, [new(full)] = 4 };

        var claimed = await outbox.ClaimDueAsync("instance", 32, TimeSpan.FromSeconds(30), inFlight, 4, default);

        var byReceiver = claimed.GroupBy(signal => signal.Receiver.Value).ToDictionary(group => group.Key, group => group.Count());
        Assert.Equal(1, byReceiver.GetValueOrDefault(busy));
        Assert.Equal(0, byReceiver.GetValueOrDefault(full));
        Assert.Equal(4, byReceiver.GetValueOrDefault(idle));
        Assert.All(claimed, signal => Assert.Equal(("instance", 1), (signal.Lease.LeasedBy, signal.Attempt)));
    }

    [Fact]
    public async Task Loopback_receiver_is_never_connected_to_while_loopback_receivers_are_not_allowed()
    {
        await using var service = await SignalService.CreateAsync(allowLoopback: false);
        var app = await service.RegisterAsync();
        var path = $"r-{Guid.NewGuid():N}";
        service.Resolver.Map("loopback.test", System.Net.IPAddress.Loopback);
        var literal = await service.AddReceiverAsync(app, service.Receiver.UrlFor(path), SignalNames.BackchannelLogout);
        var named = await service.AddReceiverAsync(app, $"https://loopback.test:{service.Receiver.Port}/{path}", SignalNames.Caep);

        var signals = new[]
        {
            await service.AddSignalAsync(literal, "subject", "sid-loop-1"),
            await service.AddSignalAsync(named, "subject", "sid-loop-2"),
        };
        foreach (var signal in signals)
        {
            await service.DeadAsync(signal);
        }

        foreach (var signal in signals)
        {
            Assert.Equal("address not allowed: loopback", (await service.FindSignalAsync(signal))!.LastOutcome);
        }

        Assert.Empty(service.Receiver.Received);
    }

    [Fact]
    public async Task Stopping_instance_releases_a_signal_still_waiting_for_its_answer()
    {
        await using var service = await SignalService.CreateAsync();
        var app = await service.RegisterAsync();
        var path = $"r-{Guid.NewGuid():N}";
        var receiver = await service.AddReceiverAsync(app, service.Receiver.UrlFor(path), SignalNames.BackchannelLogout);
        service.Receiver.Script(path, ReceiverReply.NeverAnswer());
        var signal = await service.AddSignalAsync(receiver, "subject", "sid-stop");
        await SignalService.EventuallyAsync(() => Task.FromResult(service.Receiver.At(path).Count == 1), "the attempt in flight");

        await service.Api.DisposeAsync();

        // Released, not retried: due now for any instance, its attempt counted, no outcome recorded.
        var row = await service.FindSignalAsync(signal);
        Assert.Equal(("pending", 1, null), (row!.State, row.Attempts, row.LastOutcome));
        await using var connection = new NpgsqlConnection(service.Db.ConnectionString);
        Assert.True(await connection.ExecuteScalarAsync<bool>("SELECT next_attempt_at <= now() FROM signals WHERE id = @signal", new { signal }));
    }

    [Fact]
    public async Task Database_outage_is_logged_once_and_delivery_resumes_when_it_is_back()
    {
        await using var cluster = await PrivatePostgresCluster.StartNewAsync();
        var logs = new CapturingLoggerProvider();
        await using var service = await SignalService.CreateAsync(connectionString: cluster.ConnectionString, logs: logs);
        var app = await service.RegisterAsync();
        var path = $"r-{Guid.NewGuid():N}";
        var receiver = await service.AddReceiverAsync(app, service.Receiver.UrlFor(path), SignalNames.BackchannelLogout);
        await service.DeliveredAsync(await service.AddSignalAsync(receiver, "subject", "sid-before"));

        await cluster.Cluster.StopAsync();
        await SignalService.EventuallyAsync(() => Task.FromResult(ClaimFailures(logs) == 1), "the outage logged");
        // Several polls' worth of failing claims later, still one line.
        await Task.Delay(TimeSpan.FromSeconds(2));
        await cluster.Cluster.StartAsync();
        service.ForgetIdleConnections();
        var after = await service.AddSignalAsync(receiver, "subject", "sid-after");
        await service.DeliveredAsync(after);

        Assert.Equal(1, ClaimFailures(logs));
        Assert.Equal(["sid-before", "sid-after"], service.Receiver.At(path).Select(signal => signal.SignalKey));
    }

    [Fact]
    public async Task Log_lines_name_receiver_host_attempt_and_outcome_and_never_the_token_or_the_url_query()
    {
        var logs = new CapturingLoggerProvider();
        await using var service = await SignalService.CreateAsync(logs: logs);
        var app = await service.RegisterAsync();
        var path = $"r-{Guid.NewGuid():N}";
        var receiver = await service.AddReceiverAsync(
            app, service.Receiver.UrlFor(path) + "?key=query-secret-123", SignalNames.BackchannelLogout);
        service.Receiver.Script(path, ReceiverReply.Status(503), ReceiverReply.Status(400));

        var signal = await service.AddSignalAsync(receiver, "subject", "sid-logged");
        await service.DeadAsync(signal);
        // The line is written once the dead letter has committed, so the state can be read a moment before it.
        await SignalService.EventuallyAsync(
            () => Task.FromResult(logs.Entries.Any(entry => entry.EventId.Name == "SignalDeadLettered")), "the dead letter logged");

        var tokens = service.Receiver.At(path).Select(received => received.Token).ToList();
        Assert.Equal(2, tokens.Count);
        var entries = logs.Entries.ToList();
        Assert.DoesNotContain(entries, entry => entry.Text.Contains("query-secret-123", StringComparison.Ordinal)
            || entry.Text.Contains(path, StringComparison.Ordinal)
            || tokens.Any(token => entry.Text.Contains(token.Split('.')[2], StringComparison.Ordinal)));
        var retry = Assert.Single(entries, entry => entry.EventId.Name == "SignalRetry");
        var dead = Assert.Single(entries, entry => entry.EventId.Name == "SignalDeadLettered");
        Assert.Equal(
            (receiver, "127.0.0.1", 1, "status 503"),
            ((Guid)retry.Fields["ReceiverId"]!, (string)retry.Fields["Host"]!, (int)retry.Fields["Attempt"]!, (string)retry.Fields["Outcome"]!));
        Assert.Equal(
            (receiver, "127.0.0.1", 2, "status 400"),
            ((Guid)dead.Fields["ReceiverId"]!, (string)dead.Fields["Host"]!, (int)dead.Fields["Attempt"]!, (string)dead.Fields["Outcome"]!));
    }

    private static int ClaimFailures(CapturingLoggerProvider logs) =>
        logs.Entries.Count(entry => entry.Category == typeof(SignalDeliveryWorker).FullName && entry.Level == LogLevel.Warning
            && entry.Text.StartsWith("Claiming due signals failed", StringComparison.Ordinal));
}
