using Connect.Application.ClientAuthentication;
using Connect.Application.RevokeAll;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Sessions;
using NSubstitute;

namespace Connect.Application.Tests.RevokeAll;

public sealed class RevokeAllHandlerTests
{
    private static readonly AuthenticatedApplication Caller =
        new(new AppId(Guid.NewGuid()), new ApplicationAnchor("app-a"), new SectorId(Guid.NewGuid()));

    private readonly IRefreshTokenRevoker _revoker = Substitute.For<IRefreshTokenRevoker>();

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

    private RevokeAllHandler Handler() => new(_revoker);
}
