using Connect.Application.Administration;
using Connect.Application.Administration.AddSignalReceiver;
using Connect.Application.Administration.ShowSignalsStatus;
using Connect.Application.Signals;
using Connect.Domain.Applications;
using Connect.Domain.Signals;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Connect.Application.Tests.Administration;

/// <summary>The receiver use cases over a faked port: what reaches it, and the clock's part in <c>signals status</c>.</summary>
public sealed class SignalReceiverHandlerTests
{
    private static readonly ApplicationAnchor Anchor = new("app-a");

    private readonly ISignalReceiverRegistry _receivers = Substitute.For<ISignalReceiverRegistry>();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 6, 12, 0, 0, TimeSpan.Zero));

    private AddSignalReceiverHandler Add(bool allowLoopback) =>
        new(_receivers, Options.Create(new SignalOptions { AllowLoopbackReceivers = allowLoopback }));

    [Fact]
    public async Task Add_stores_the_anchor_as_the_audience_when_none_is_named()
    {
        var id = new ReceiverId(Guid.NewGuid());
        _receivers.AddAsync(Anchor, "https://rp.example/caep", SignalFormat.Caep, "app-a", 16, Arg.Any<CancellationToken>())
            .Returns(new ReceiverAddition(ReceiverAdditionOutcome.Added, id));

        var outcome = await Add(allowLoopback: false).Handle(
            new AddSignalReceiverCommand("app-a", "https://rp.example/caep", "caep"), CancellationToken.None);

        Assert.Equal(new AddSignalReceiverResult(Anchor, id, "https://rp.example/caep", SignalFormat.Caep, "app-a"), outcome.Value);
    }

    [Fact]
    public async Task Add_refuses_a_loopback_url_before_the_port_unless_the_option_allows_it()
    {
        _receivers.AddAsync(default, default!, default, default!, default, default)
            .ReturnsForAnyArgs(new ReceiverAddition(ReceiverAdditionOutcome.Added, new ReceiverId(Guid.NewGuid())));
        var command = new AddSignalReceiverCommand("app-a", "http://localhost:9000/logout", "backchannel-logout");

        var refused = await Add(allowLoopback: false).Handle(command, CancellationToken.None);
        Assert.Empty(_receivers.ReceivedCalls());
        var allowed = await Add(allowLoopback: true).Handle(command, CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.InvalidReceiverUrl, refused.Failure?.Code);
        Assert.True(allowed.Succeeded);
        Assert.Single(_receivers.ReceivedCalls());
    }

    [Theory]
    [InlineData(ReceiverAdditionOutcome.UnknownAnchor, AdministrationErrorCode.UnknownAnchor)]
    [InlineData(ReceiverAdditionOutcome.TooManyReceivers, AdministrationErrorCode.TooManyReceivers)]
    public async Task Add_names_what_the_port_refused(ReceiverAdditionOutcome refusal, AdministrationErrorCode code)
    {
        _receivers.AddAsync(default, default!, default, default!, default, default).ReturnsForAnyArgs(new ReceiverAddition(refusal));

        var outcome = await Add(allowLoopback: false).Handle(
            new AddSignalReceiverCommand("app-a", "https://rp.example/", "caep", "aud"), CancellationToken.None);

        Assert.Equal(code, outcome.Failure?.Code);
    }

    [Fact]
    public async Task Status_sums_the_receivers_and_ages_the_oldest_pending_signal_on_the_clock()
    {
        var now = _clock.GetUtcNow();
        _receivers.StatusAsync(Arg.Any<CancellationToken>()).Returns(
        [
            Receiver(pending: 2, dead: 1, oldest: now.AddSeconds(-90.7)),
            Receiver(pending: 0, dead: 3, oldest: null),
            // Written by the database's clock, a moment ahead of this one: never a negative age.
            Receiver(pending: 1, dead: 0, oldest: now.AddSeconds(2)),
        ]);

        var status = (await new ShowSignalsStatusHandler(_receivers, _clock).Handle(new ShowSignalsStatusQuery(), CancellationToken.None)).Value!;

        Assert.Equal((3, 90L, 4), (status.Pending, status.OldestPendingSeconds, status.DeadLetters));
        Assert.Equal([90L, 0L, 0L], status.Receivers.Select(receiver => receiver.OldestPendingSeconds));
    }

    [Fact]
    public async Task Status_without_receivers_is_all_zero()
    {
        _receivers.StatusAsync(Arg.Any<CancellationToken>()).Returns([]);

        var status = (await new ShowSignalsStatusHandler(_receivers, _clock).Handle(new ShowSignalsStatusQuery(), CancellationToken.None)).Value!;

        Assert.Equal((0, 0L, 0, 0), (status.Pending, status.OldestPendingSeconds, status.DeadLetters, status.Receivers.Count));
    }

    private static SignalReceiverStatus Receiver(int pending, int dead, DateTimeOffset? oldest) =>
        new(Anchor, new ReceiverId(Guid.NewGuid()), "https://rp.example/", SignalFormat.Caep, pending, dead, oldest, null);
}
