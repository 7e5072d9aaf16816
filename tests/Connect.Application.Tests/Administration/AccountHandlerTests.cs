using Connect.Application.Administration;
using Connect.Application.Administration.CountSessions;
using Connect.Application.Administration.CreateAccount;
using Connect.Application.Administration.IssueSessions;
using Connect.Application.Administration.IssueSubject;
using System.Security.Cryptography;
using Connect.Application.SessionTokens;
using Connect.Application.SigningKeys;
using Connect.Domain.Accounts;
using Connect.Domain.Sessions;
using Microsoft.Extensions.Options;
using Connect.Domain.Applications;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Connect.Application.Tests.Administration;

public sealed class AccountHandlerTests
{
    private static readonly ApplicationAnchor Anchor = new("app-a");
    private static readonly AppId App = new(Guid.NewGuid());
    private static readonly SectorId Sector = new(Guid.NewGuid());
    private static readonly AccountId Account = new(Guid.NewGuid());

    private readonly IApplicationRegistry _applications = Substitute.For<IApplicationRegistry>();
    private readonly IAccountRegistry _accounts = Substitute.For<IAccountRegistry>();
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2030, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly ISessionStore _sessions = Substitute.For<ISessionStore>();
    private readonly ICurrentSigningKey _signingKeys = Substitute.For<ICurrentSigningKey>();

    private static readonly TokenSigningKey SigningKey = new("kid-test", RSA.Create(2048));

    private SessionTokenCodec Codec => new(_clock, Options.Create(new SessionTokenOptions()));

    private IssueSessionsHandler IssueSessions() => new(_applications, _accounts, _sessions, _signingKeys, Codec, _clock);

    [Fact]
    public async Task Create_account_answers_the_new_id()
    {
        _accounts.CreateAccountAsync(Arg.Any<CancellationToken>()).Returns(Account);

        var outcome = await new CreateAccountHandler(_accounts).Handle(new CreateAccountCommand(), CancellationToken.None);

        Assert.Equal(new CreateAccountResult(Account), outcome.Value);
    }

    [Fact]
    public async Task Subject_is_issued_in_the_sector_of_the_anchors_application()
    {
        KnownApplication();
        _accounts.IssueSubjectAsync(Account, Sector, Arg.Any<CancellationToken>()).Returns(new SectorSubject("sub-1"));

        var outcome = await new IssueSubjectHandler(_applications, _accounts)
            .Handle(new IssueSubjectCommand(Account, Anchor.Value), CancellationToken.None);

        Assert.Equal(new IssueSubjectResult(new SectorSubject("sub-1")), outcome.Value);
    }

    [Fact]
    public async Task Subject_for_an_unknown_anchor_is_refused_before_any_issue()
    {
        var outcome = await new IssueSubjectHandler(_applications, _accounts)
            .Handle(new IssueSubjectCommand(Account, Anchor.Value), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.UnknownAnchor, outcome.Failure?.Code);
        Assert.Empty(_accounts.ReceivedCalls());
    }

    [Fact]
    public async Task Subject_for_an_unknown_account_is_refused()
    {
        KnownApplication();
        _accounts.IssueSubjectAsync(Account, Sector, Arg.Any<CancellationToken>()).Returns((SectorSubject?)null);

        var outcome = await new IssueSubjectHandler(_applications, _accounts)
            .Handle(new IssueSubjectCommand(Account, Anchor.Value), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.UnknownAccount, outcome.Failure?.Code);
        Assert.Equal($"no account has the id {Account}", outcome.Failure?.Message);
    }

    [Fact]
    public async Task Sessions_are_stored_at_version_1_and_answered_with_tokens_that_name_them()
    {
        KnownApplication();
        _accounts.IssueSubjectAsync(Account, Sector, Arg.Any<CancellationToken>()).Returns(new SectorSubject("sub-1"));
        var now = _clock.GetUtcNow();
        _signingKeys.GetCurrentSigningKeyAsync(App, now.AddSeconds(90), Arg.Any<CancellationToken>()).Returns(SigningKey);
        NewSessions? stored = null;
        _sessions.IssueAsync(Arg.Do<NewSessions>(sessions => stored = sessions), Arg.Any<CancellationToken>()).Returns(true);

        var outcome = await IssueSessions().Handle(new IssueSessionsCommand(Account, Anchor.Value, 3, 90), CancellationToken.None);

        var result = Assert.IsType<IssueSessionsResult>(outcome.Value);
        Assert.Equal(3, result.Issued);
        Assert.NotNull(stored);
        Assert.Equal((Account, App, now, now.AddSeconds(90), "kid-test"), (stored.Account, stored.Application, stored.IssuedAt, stored.ExpiresAt, stored.KeyId));
        Assert.Equal(result.Sessions.Select(session => session.SessionId), stored.Sessions.Select(session => session.Id.Value));
        foreach (var (issued, (_, firstJti)) in result.Sessions.Zip(stored.Sessions))
        {
            var refresh = Codec.ReadRefresh(issued.RefreshToken).Value!.Claims;
            var access = Codec.ReadAccess(issued.AccessToken).Value!.Claims;
            Assert.Equal((issued.SessionId, firstJti, 1, now.AddSeconds(90).ToUnixTimeSeconds()), (refresh.SessionId, refresh.TokenId, refresh.RotationVersion, refresh.ExpiresAt));
            Assert.Equal((issued.SessionId, "sub-1", Anchor.Value), (access.SessionId, access.Subject, access.Audience));
        }
    }

    [Fact]
    public async Task Sessions_for_an_unknown_account_are_refused_and_none_issued()
    {
        KnownApplication();

        var outcome = await IssueSessions().Handle(new IssueSessionsCommand(Account, Anchor.Value, 1, 60), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.UnknownAccount, outcome.Failure?.Code);
        Assert.Empty(_sessions.ReceivedCalls());
        Assert.Empty(_signingKeys.ReceivedCalls());
    }

    [Fact]
    public async Task Sessions_for_an_unknown_anchor_are_refused()
    {
        var outcome = await IssueSessions().Handle(new IssueSessionsCommand(Account, Anchor.Value, 1, 60), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.UnknownAnchor, outcome.Failure?.Code);
        Assert.Empty(_accounts.ReceivedCalls());
        Assert.Empty(_sessions.ReceivedCalls());
    }

    [Fact]
    public async Task Session_counts_are_those_of_the_account_for_the_anchors_application()
    {
        KnownApplication();
        _accounts.AccountExistsAsync(Account, Arg.Any<CancellationToken>()).Returns(true);
        _accounts.CountSessionsAsync(Account, App, Arg.Any<CancellationToken>()).Returns(new SessionCounts(2, 1, 4));

        var outcome = await new CountSessionsHandler(_applications, _accounts)
            .Handle(new CountSessionsQuery(Account, Anchor.Value), CancellationToken.None);

        Assert.Equal(new SessionCounts(2, 1, 4), outcome.Value);
    }

    [Fact]
    public async Task Session_count_of_an_unknown_account_is_refused_rather_than_zero()
    {
        KnownApplication();

        var outcome = await new CountSessionsHandler(_applications, _accounts)
            .Handle(new CountSessionsQuery(Account, Anchor.Value), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.UnknownAccount, outcome.Failure?.Code);
    }

    [Fact]
    public async Task Session_count_of_an_unknown_anchor_is_refused()
    {
        var outcome = await new CountSessionsHandler(_applications, _accounts)
            .Handle(new CountSessionsQuery(Account, Anchor.Value), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.UnknownAnchor, outcome.Failure?.Code);
    }

    private void KnownApplication() =>
        _applications.FindAsync(Anchor, Arg.Any<CancellationToken>()).Returns((App, Sector));
}
