using System.Net;
using Connect.Application.Signals;
using Connect.Domain.Signals;
using Connect.Infrastructure;
using Connect.Testing.Signals;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Signals;

/// <summary>One service for the tests of this class that need nothing of their own.</summary>
public sealed class SignalServiceFixture : IAsyncLifetime
{
    internal SignalService Service { get; private set; } = null!;

    public async Task InitializeAsync() => Service = await SignalService.CreateAsync();

    public async Task DisposeAsync() => await Service.DisposeAsync();
}

/// <summary>
/// docs/contract/signals.md "The two forms" and "Delivery", end to end: the real worker of a real service sends real
/// HTTP to a receiver on loopback, which verifies every token with Microsoft's JWT handler against the service's own
/// JWKS document, and answers as each test tells it.
/// </summary>
public sealed class SignalDeliveryTests(SignalServiceFixture fixture) : IClassFixture<SignalServiceFixture>
{
    private SignalService Service => fixture.Service;

    private TestSignalReceiver Receiver => Service.Receiver;

    [Fact]
    public async Task Logout_token_for_one_session_is_posted_as_a_form_and_verifies_under_the_published_key()
    {
        var app = await Service.RegisterAsync();
        var path = NewPath();
        var receiver = await Service.AddReceiverAsync(app, Receiver.UrlFor(path), SignalNames.BackchannelLogout);

        var signal = await Service.AddSignalAsync(receiver, "subject-1", "sid-one-session");
        await Service.DeliveredAsync(signal);

        var received = Assert.Single(Receiver.At(path));
        Assert.Equal("application/x-www-form-urlencoded", received.ContentType);
        Assert.Equal(["alg", "kid", "typ"], Names(SignalService.Header(received.Token)));
        Assert.Equal("logout+jwt", SignalService.Header(received.Token).GetProperty("typ").GetString());
        var payload = await Service.VerifiedPayloadAsync(app, received.Token, "logout+jwt", app.Anchor.Value);
        Assert.Equal(["iss", "aud", "iat", "exp", "jti", "events", "sub", "sid"], Names(payload));
        Assert.Equal("subject-1", payload.GetProperty("sub").GetString());
        Assert.Equal("sid-one-session", payload.GetProperty("sid").GetString());
        Assert.Equal(payload.GetProperty("iat").GetInt64() + 120, payload.GetProperty("exp").GetInt64());
        Assert.Equal("""{"http://schemas.openid.net/event/backchannel-logout":{}}""", payload.GetProperty("events").GetRawText());
    }

    [Fact]
    public async Task Subject_wide_logout_token_has_no_sid_and_no_nonce()
    {
        var app = await Service.RegisterAsync();
        var path = NewPath();
        var receiver = await Service.AddReceiverAsync(app, Receiver.UrlFor(path), SignalNames.BackchannelLogout, "rp-audience");

        await Service.DeliveredAsync(await Service.AddSignalAsync(receiver, "subject-2", sid: null, "admin"));

        var payload = await Service.VerifiedPayloadAsync(app, Assert.Single(Receiver.At(path)).Token, "logout+jwt", "rp-audience");
        Assert.Equal(["iss", "aud", "iat", "exp", "jti", "events", "sub"], Names(payload));
    }

    [Fact]
    public async Task Session_revoked_set_is_pushed_as_secevent_jwt_with_sub_id_and_no_sub()
    {
        var app = await Service.RegisterAsync();
        var path = NewPath();
        var receiver = await Service.AddReceiverAsync(app, Receiver.UrlFor(path), SignalNames.Caep, "caep-audience");
        var endedAt = DateTimeOffset.UtcNow.AddMinutes(-1);
        Receiver.Script(path, ReceiverReply.Status(202));

        var oneSession = await Service.AddSignalAsync(receiver, "subject-3", "sid-caep", "policy", endedAt);
        await Service.DeliveredAsync(oneSession);
        var wholeSubject = await Service.AddSignalAsync(receiver, "subject-4", sid: null, "admin", endedAt);
        await Service.DeliveredAsync(wholeSubject);

        var received = Receiver.At(path);
        Assert.Equal(2, received.Count);
        Assert.All(received, signal => Assert.Equal("application/secevent+jwt", signal.ContentType));
        var session = await Service.VerifiedPayloadAsync(app, received[0].Token, "secevent+jwt", "caep-audience");
        Assert.Equal(["iss", "aud", "iat", "jti", "sub_id", "events"], Names(session));
        Assert.Equal(
            """{"format":"complex","user":{"format":"opaque","id":"subject-3"},"session":{"format":"opaque","id":"sid-caep"}}""",
            session.GetProperty("sub_id").GetRawText());
        Assert.Equal(
            $$$"""{"https://schemas.openid.net/secevent/caep/event-type/session-revoked":{"event_timestamp":{{{endedAt.ToUnixTimeSeconds()}}},"initiating_entity":"policy"}}""",
            session.GetProperty("events").GetRawText());
        var subject = await Service.VerifiedPayloadAsync(app, received[1].Token, "secevent+jwt", "caep-audience");
        Assert.Equal(["iss", "aud", "iat", "jti", "sub_id", "events"], Names(subject));
        Assert.Equal("""{"format":"opaque","id":"subject-4"}""", subject.GetProperty("sub_id").GetRawText());
    }

    [Fact]
    public async Task Receiver_answering_503_three_times_gets_the_signal_on_the_fourth_attempt_each_a_fresh_token()
    {
        var app = await Service.RegisterAsync();
        var path = NewPath();
        var receiver = await Service.AddReceiverAsync(app, Receiver.UrlFor(path), SignalNames.BackchannelLogout);
        Receiver.Script(path, ReceiverReply.Status(503), ReceiverReply.Status(503), ReceiverReply.Status(503));

        var signal = await Service.AddSignalAsync(receiver, "subject-5", "sid-503");
        await Service.DeliveredAsync(signal);

        var received = Receiver.At(path);
        Assert.Equal(4, received.Count);
        var payloads = new List<System.Text.Json.JsonElement>();
        foreach (var attempt in received)
        {
            payloads.Add(await Service.VerifiedPayloadAsync(app, attempt.Token, "logout+jwt", app.Anchor.Value));
        }

        Assert.Equal(4, payloads.Select(payload => payload.GetProperty("jti").GetString()).Distinct().Count());
        Assert.All(payloads, payload => Assert.Equal("sid-503", payload.GetProperty("sid").GetString()));
    }

    [Fact]
    public async Task Status_400_is_a_dead_letter_audited_with_its_receiver_and_outcome()
    {
        var app = await Service.RegisterAsync();
        var path = NewPath();
        var receiver = await Service.AddReceiverAsync(app, Receiver.UrlFor(path), SignalNames.Caep);
        Receiver.Script(path, ReceiverReply.Status(400));

        var signal = await Service.AddSignalAsync(receiver, "subject-6", "sid-400");
        await Service.DeadAsync(signal);

        var row = await Service.FindSignalAsync(signal);
        Assert.Equal(("dead", 1, "status 400"), (row!.State, row.Attempts, row.LastOutcome));
        var audit = Assert.Single(await Service.DeadLetterAuditAsync(receiver));
        Assert.Equal((app.Id.Value, receiver, "status 400"), (audit.ApplicationId, audit.ReceiverId, audit.Detail));
        Assert.Single(Receiver.At(path));
    }

    [Fact]
    public async Task Redirect_is_a_dead_letter_and_its_location_is_never_contacted()
    {
        var app = await Service.RegisterAsync();
        var path = NewPath();
        var elsewhere = NewPath();
        var receiver = await Service.AddReceiverAsync(app, Receiver.UrlFor(path), SignalNames.BackchannelLogout);
        Receiver.Script(path, ReceiverReply.Status(302, ("Location", Receiver.UrlFor(elsewhere))));

        var signal = await Service.AddSignalAsync(receiver, "subject-7", "sid-302");
        await Service.DeadAsync(signal);

        Assert.Equal("status 302", (await Service.FindSignalAsync(signal))!.LastOutcome);
        Assert.Single(Receiver.At(path));
        Assert.Empty(Receiver.At(elsewhere));
    }

    [Fact]
    public async Task Receiver_that_never_answers_is_given_up_on_at_the_timeout_and_tried_again()
    {
        var app = await Service.RegisterAsync();
        var path = NewPath();
        var receiver = await Service.AddReceiverAsync(app, Receiver.UrlFor(path), SignalNames.BackchannelLogout);
        Receiver.Script(path, ReceiverReply.NeverAnswer());

        var signal = await Service.AddSignalAsync(receiver, "subject-8", "sid-hang");
        await SignalService.EventuallyAsync(
            async () => await Service.FindSignalAsync(signal) is { State: "pending", Attempts: 1, LastOutcome: "timeout" },
            "the timeout recorded");
        await Service.DeliveredAsync(signal);

        var received = Receiver.At(path);
        Assert.Equal(2, received.Count);
        Assert.NotEqual(received[0].Token, received[1].Token);
    }

    [Fact]
    public async Task Huge_answer_body_is_not_read_and_the_signal_is_delivered()
    {
        await using var huge = new HugeAnswerServer();
        var app = await Service.RegisterAsync();
        var receiver = await Service.AddReceiverAsync(app, $"http://127.0.0.1:{huge.Port}/huge", SignalNames.BackchannelLogout);

        var signal = await Service.AddSignalAsync(receiver, "subject-9", "sid-huge");
        await Service.DeliveredAsync(signal);
        await SignalService.EventuallyAsync(() => Task.FromResult(!huge.Writing), "the answer abandoned by the sender");

        // A gigabyte was on offer; the sender went away after the headers and a few kilobytes of drain.
        Assert.Equal(1, huge.Requests);
        Assert.True(huge.BodyBytesSent < 64L * 1024 * 1024, $"{huge.BodyBytesSent} bytes sent");
    }

    [Fact]
    public async Task Retry_after_longer_than_the_backoff_sets_the_next_attempt()
    {
        var app = await Service.RegisterAsync();
        var path = NewPath();
        var receiver = await Service.AddReceiverAsync(app, Receiver.UrlFor(path), SignalNames.Caep);
        Receiver.Script(path, ReceiverReply.Status(429, ("Retry-After", "120")));

        var signal = await Service.AddSignalAsync(receiver, "subject-10", "sid-retry-after");
        await SignalService.EventuallyAsync(
            async () => await Service.FindSignalAsync(signal) is { LastOutcome: "status 429" }, "the 429 recorded");

        var row = await Service.FindSignalAsync(signal);
        var answeredAt = Assert.Single(Receiver.At(path)).At;
        Assert.Equal(("pending", 1), (row!.State, row.Attempts));
        // Not the one-second backoff: the receiver's two minutes (the clocks of receiver and database agree to a second).
        Assert.InRange(
            new DateTimeOffset(DateTime.SpecifyKind(row.NextAttemptAt, DateTimeKind.Utc)) - answeredAt,
            TimeSpan.FromSeconds(118), TimeSpan.FromSeconds(122));
    }

    [Fact]
    public async Task Slow_receiver_does_not_delay_another_receivers_signal()
    {
        var app = await Service.RegisterAsync();
        var slowPath = NewPath();
        var fastPath = NewPath();
        var slow = await Service.AddReceiverAsync(app, Receiver.UrlFor(slowPath), SignalNames.BackchannelLogout);
        var fast = await Service.AddReceiverAsync(app, Receiver.UrlFor(fastPath), SignalNames.BackchannelLogout);
        Receiver.Script(slowPath, Enumerable.Repeat(ReceiverReply.After(TimeSpan.FromSeconds(4), 204), 12).ToArray());
        var slowSignals = new List<long>();
        for (var i = 0; i < 12; i++)
        {
            slowSignals.Add(await Service.AddSignalAsync(slow, "subject-slow", $"sid-slow-{i}"));
        }

        await SignalService.EventuallyAsync(() => Task.FromResult(Receiver.At(slowPath).Count > 0), "the slow receiver busy");
        var quick = await Service.AddSignalAsync(fast, "subject-fast", "sid-fast");
        await Service.DeliveredAsync(quick);

        // Twelve signals at four seconds each, at most four at once: the slow receiver is still far from done.
        var slowLeft = 0;
        foreach (var id in slowSignals)
        {
            slowLeft += await Service.FindSignalAsync(id) is null ? 0 : 1;
        }

        Assert.True(slowLeft > 0);
        Assert.True(Receiver.At(slowPath).Count <= 12);
        await Task.WhenAll(slowSignals.Select(Service.DeliveredAsync));
    }

    [Fact]
    public async Task Receiver_down_at_first_gets_the_signal_once_it_is_up()
    {
        var app = await Service.RegisterAsync();
        var port = LoopbackPort.Free();
        var receiver = await Service.AddReceiverAsync(app, $"http://127.0.0.1:{port}/late", SignalNames.BackchannelLogout);

        var signal = await Service.AddSignalAsync(receiver, "subject-11", "sid-down");
        await SignalService.EventuallyAsync(
            async () => await Service.FindSignalAsync(signal) is { LastOutcome: "connection refused" }, "a refused connection");
        await using var late = await TestSignalReceiver.StartAsync(port);
        await Service.DeliveredAsync(signal);

        var received = Assert.Single(late.At("late"));
        await Service.VerifiedPayloadAsync(app, received.Token, "logout+jwt", app.Anchor.Value);
    }

    [Fact]
    public async Task Hosts_resolving_to_private_or_metadata_addresses_are_never_connected_to()
    {
        var app = await Service.RegisterAsync();
        var path = NewPath();
        Service.Resolver.Map("internal.test", IPAddress.Parse("10.0.0.1"));
        // One good address is not enough: every address the name resolves to must be allowed.
        Service.Resolver.Map("mixed.test", IPAddress.Loopback, IPAddress.Parse("192.168.1.10"));
        var internalName = await Service.AddReceiverAsync(app, "https://internal.test/logout", SignalNames.BackchannelLogout);
        var metadata = await Service.AddReceiverAsync(app, "https://169.254.169.254/latest/meta-data", SignalNames.Caep);
        var mixed = await Service.AddReceiverAsync(app, $"http://mixed.test:{Receiver.Port}/{path}", SignalNames.BackchannelLogout);
        var plainHttpElsewhere = await Service.AddReceiverAsync(app, "http://93.184.216.34/logout", SignalNames.BackchannelLogout);

        var signals = new[]
        {
            await Service.AddSignalAsync(internalName, "subject-12", "sid-ssrf-1"),
            await Service.AddSignalAsync(metadata, "subject-12", "sid-ssrf-2"),
            await Service.AddSignalAsync(mixed, "subject-12", "sid-ssrf-3"),
            await Service.AddSignalAsync(plainHttpElsewhere, "subject-12", "sid-ssrf-4"),
        };
        foreach (var signal in signals)
        {
            await Service.DeadAsync(signal);
        }

        var outcomes = new List<string?>();
        foreach (var signal in signals)
        {
            outcomes.Add((await Service.FindSignalAsync(signal))!.LastOutcome);
        }

        Assert.Equal(
            ["address not allowed: private or reserved", "address not allowed: private or reserved",
             "address not allowed: private or reserved", "url not allowed: http to a non-loopback address"],
            outcomes);
        Assert.Empty(Receiver.At(path));
        Assert.Single(await Service.DeadLetterAuditAsync(metadata));
    }

    [Fact]
    public async Task Delivery_is_measured_by_outcome_and_latency()
    {
        var listener = new SignalMetricsListener(Service.Api.Services);
        var app = await Service.RegisterAsync();
        var path = NewPath();
        var receiver = await Service.AddReceiverAsync(app, Receiver.UrlFor(path), SignalNames.BackchannelLogout);
        Receiver.Script(path, ReceiverReply.Status(500), ReceiverReply.Status(204), ReceiverReply.Status(403));

        await Service.DeliveredAsync(await Service.AddSignalAsync(receiver, "subject-13", "sid-metrics-1"));
        await Service.DeadAsync(await Service.AddSignalAsync(receiver, "subject-13", "sid-metrics-2"));
        var parked = await Service.AddSignalAsync(receiver, "subject-13", "sid-metrics-3");
        Receiver.Script(path, ReceiverReply.Status(503, ("Retry-After", "300")));
        await SignalService.EventuallyAsync(async () => (await Service.FindSignalAsync(parked))?.Attempts == 1, "a parked signal");

        await SignalService.EventuallyAsync(
            () => Task.FromResult(listener.Deliveries(SignalMetrics.Delivered) >= 1 && listener.Deliveries(SignalMetrics.Retry) >= 2
                && listener.Deliveries(SignalMetrics.DeadLettered) >= 1 && !listener.Latencies.IsEmpty),
            "the deliveries counted");
        await SignalService.EventuallyAsync(() => Task.FromResult(listener.Pending() >= 1), "the pending gauge refreshed");
        Assert.True(listener.OldestPendingAge() > 0);
        Assert.All(listener.Latencies, seconds => Assert.True(seconds >= 0));
        listener.Dispose();
    }

    private static string NewPath() => $"r-{Guid.NewGuid():N}";

    private static List<string> Names(System.Text.Json.JsonElement json) => json.EnumerateObject().Select(member => member.Name).ToList();
}
