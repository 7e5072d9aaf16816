using Connect.Application.ClientAuthentication;
using Connect.Application.RevokeAll;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Outcomes;
using Connect.Domain.Sessions;
using NSubstitute;

namespace Connect.Application.Tests.RevokeAll;

public sealed class RevokeAllHandlerTests
{
    private static readonly AuthenticatedApplication Caller =
        new(new AppId(Guid.NewGuid()), new ApplicationAnchor("app-a"), new SectorId(Guid.NewGuid()));

    private readonly IRefreshTokenRevoker _revoker = Substitute.For<IRefreshTokenRevoker>();
    private readonly IRecordingRevoker _recordingRevoker = Substitute.For<IRecordingRevoker>();

    [Fact]
    public async Task Known_subject_revokes_the_accounts_tokens_for_the_caller_and_returns_the_count()
    {
        _revoker.RevokeAllActiveAsync(Caller.Sector, new SectorSubject("sub-1"), Caller.Id, Arg.Any<CancellationToken>()).Returns(3);

        var outcome = await Handler().Handle(new RevokeAllCommand(Caller, "sub-1"), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal(3, outcome.Value.RevokedCount);
    }

    [Fact]
    public async Task Unknown_subject_returns_zero()
    {
        _revoker.RevokeAllActiveAsync(default, default, default, default).ReturnsForAnyArgs((int?)null);

        var outcome = await Handler().Handle(new RevokeAllCommand(Caller, "nobody"), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal(0, outcome.Value.RevokedCount);
    }

    [Fact]
    public async Task Subject_is_looked_up_only_in_the_callers_sector_for_the_callers_application()
    {
        var subject = new SectorSubject("sub-2");

        await Handler().Handle(new RevokeAllCommand(Caller, subject.Value), CancellationToken.None);

        await _revoker.Received(1).RevokeAllActiveAsync(Caller.Sector, subject, Caller.Id, Arg.Any<CancellationToken>());
    }

    [Fact]
    public async Task Cancellation_token_reaches_the_port()
    {
        using var cancellation = new CancellationTokenSource();

        await Handler().Handle(new RevokeAllCommand(Caller, "sub-3"), cancellation.Token);

        await _revoker.Received(1).RevokeAllActiveAsync(Caller.Sector, new SectorSubject("sub-3"), Caller.Id, cancellation.Token);
    }

    [Fact]
    public async Task Port_failure_propagates_as_an_exception()
    {
        _revoker.RevokeAllActiveAsync(default, default, default, default)
            .ReturnsForAnyArgs<int?>(_ => throw new TimeoutException("database"));

        var act = () => Handler().Handle(new RevokeAllCommand(Caller, "sub-4"), CancellationToken.None);

        await Assert.ThrowsAsync<TimeoutException>(act);
    }

    [Fact]
    public async Task A_client_jwt_left_unrecorded_is_recorded_by_the_revoking_statement_and_nothing_else_runs()
    {
        var decisions = 0;
        var caller = Unrecorded(_ => { decisions++; return Task.FromResult<Outcome<AuthenticatedApplication>>(Caller); });
        _recordingRevoker.RevokeAllActiveAsync(Caller.Sector, new SectorSubject("sub-5"), caller.Unrecorded!.Use, Arg.Any<CancellationToken>())
            .Returns(new RecordedRevocation(JtiRecording.FirstUse, 2));

        var outcome = await Handler().Handle(new RevokeAllCommand(caller, "sub-5"), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal(2, outcome.Value.RevokedCount);
        Assert.Equal(0, decisions);
        Assert.Empty(_revoker.ReceivedCalls());
    }

    [Theory]
    [InlineData(JtiRecording.Replayed, "ClientJwtReplayed")]
    [InlineData(JtiRecording.ApplicationChanged, "ApplicationDisabled")]
    public async Task A_statement_that_recorded_nothing_answers_what_the_policy_decides_with_the_record_alone(
        JtiRecording recording, string reason)
    {
        var decided = reason == nameof(ReasonCode.ClientJwtReplayed) ? ReasonCode.ClientJwtReplayed : ReasonCode.ApplicationDisabled;
        var caller = Unrecorded(_ => Task.FromResult<Outcome<AuthenticatedApplication>>(decided));
        _recordingRevoker.RevokeAllActiveAsync(default, default, default!, default)
            .ReturnsForAnyArgs(new RecordedRevocation(recording, null));

        var outcome = await Handler().Handle(new RevokeAllCommand(caller, "sub-6"), CancellationToken.None);

        Assert.Equal(decided, outcome.Failure);
        Assert.Empty(_revoker.ReceivedCalls());
    }

    [Fact]
    public async Task An_application_changed_under_the_statement_but_still_accepting_is_revoked_for_as_it_now_is()
    {
        // The policy read the application again and recorded the jti alone: the revocation follows, in the sector the
        // application has now.
        var now = Caller with { Sector = new SectorId(Guid.NewGuid()) };
        var caller = Unrecorded(_ => Task.FromResult<Outcome<AuthenticatedApplication>>(now));
        _recordingRevoker.RevokeAllActiveAsync(default, default, default!, default)
            .ReturnsForAnyArgs(new RecordedRevocation(JtiRecording.ApplicationChanged, null));
        _revoker.RevokeAllActiveAsync(now.Sector, new SectorSubject("sub-7"), now.Id, Arg.Any<CancellationToken>()).Returns(5);

        var outcome = await Handler().Handle(new RevokeAllCommand(caller, "sub-7"), CancellationToken.None);

        Assert.True(outcome.Succeeded);
        Assert.Equal(5, outcome.Value.RevokedCount);
    }

    private static AuthenticatedApplication Unrecorded(Func<CancellationToken, Task<Outcome<AuthenticatedApplication>>> decide) =>
        Caller with
        {
            Unrecorded = new UnrecordedClientJwt(new JtiFirstUse(Caller.Id, 7, "jti-1", DateTimeOffset.UnixEpoch), decide),
        };

    private RevokeAllHandler Handler() => new(_revoker, _recordingRevoker);
}
