using Connect.Application.Administration;
using Connect.Application.Administration.DeleteAccount;
using Connect.Application.Administration.IssueSessions;
using Connect.Application.Administration.IssueSubject;
using Connect.Application.Administration.SetAccountEnabled;
using Connect.Application.SessionTokens;
using Connect.Application.SigningKeys;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Sessions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace Connect.Application.Tests.Administration;

public sealed class AccountLifecycleHandlerTests
{
    private static readonly AccountId Account = new(Guid.NewGuid());
    private static readonly ApplicationAnchor Anchor = new("app-a");
    private static readonly AppId App = new(Guid.NewGuid());
    private static readonly SectorId Sector = new(Guid.NewGuid());

    private readonly IAccountRegistry _accounts = Substitute.For<IAccountRegistry>();

    [Theory]
    [InlineData(false, AccountStatus.Disabled)]
    [InlineData(true, AccountStatus.Enabled)]
    public async Task Disable_and_enable_answer_the_state_set(bool enabled, AccountStatus set)
    {
        _accounts.SetEnabledAsync(Account, enabled, Arg.Any<CancellationToken>()).Returns(set);

        var outcome = await new SetAccountEnabledHandler(_accounts).Handle(new SetAccountEnabledCommand(Account, enabled), CancellationToken.None);

        Assert.Equal(new SetAccountEnabledResult(Account, enabled), outcome.Value);
    }

    [Theory]
    [InlineData(AccountStatus.Unknown, AdministrationErrorCode.UnknownAccount)]
    [InlineData(AccountStatus.Deleted, AdministrationErrorCode.AccountDeleted)]
    public async Task Enabling_an_unknown_or_deleted_account_is_refused(AccountStatus status, AdministrationErrorCode code)
    {
        _accounts.SetEnabledAsync(Account, true, Arg.Any<CancellationToken>()).Returns(status);

        var outcome = await new SetAccountEnabledHandler(_accounts).Handle(new SetAccountEnabledCommand(Account, true), CancellationToken.None);

        Assert.Equal(code, outcome.Failure?.Code);
    }

    [Fact]
    public async Task Delete_answers_how_many_sessions_it_ended()
    {
        _accounts.DeleteAsync(Account, Arg.Any<CancellationToken>()).Returns(new AccountDeletion(AccountDeletionOutcome.Deleted, 7));

        var outcome = await new DeleteAccountHandler(_accounts).Handle(new DeleteAccountCommand(Account), CancellationToken.None);

        Assert.Equal(new DeleteAccountResult(Account, 7), outcome.Value);
    }

    [Theory]
    [InlineData(AccountDeletionOutcome.UnknownAccount, AdministrationErrorCode.UnknownAccount, "no account has the id")]
    [InlineData(AccountDeletionOutcome.AlreadyDeleted, AdministrationErrorCode.AccountDeleted, "was deleted and is never brought back")]
    public async Task Deleting_an_unknown_or_already_deleted_account_is_refused_in_one_line(
        AccountDeletionOutcome deletion, AdministrationErrorCode code, string message)
    {
        _accounts.DeleteAsync(Account, Arg.Any<CancellationToken>()).Returns(new AccountDeletion(deletion, 0));

        var outcome = await new DeleteAccountHandler(_accounts).Handle(new DeleteAccountCommand(Account), CancellationToken.None);

        Assert.Equal(code, outcome.Failure?.Code);
        Assert.Contains(message, outcome.Failure!.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', outcome.Failure.Message);
    }

    [Theory]
    [InlineData(AccountStatus.Disabled, AdministrationErrorCode.AccountDisabled)]
    [InlineData(AccountStatus.Deleted, AdministrationErrorCode.AccountDeleted)]
    public async Task Session_issue_for_an_account_the_store_refuses_hands_out_no_token(AccountStatus status, AdministrationErrorCode code)
    {
        var applications = Substitute.For<IApplicationRegistry>();
        applications.FindAsync(Anchor, Arg.Any<CancellationToken>()).Returns((App, Sector));
        _accounts.IssueSubjectAsync(Account, Sector, Arg.Any<CancellationToken>()).Returns(new SectorSubject("sub"));
        _accounts.GetStatusAsync(Account, Arg.Any<CancellationToken>()).Returns(status);
        var signingKeys = Substitute.For<ICurrentSigningKey>();
        signingKeys.GetCurrentSigningKeyAsync(App, Arg.Any<DateTimeOffset>(), Arg.Any<CancellationToken>())
            .Returns(new TokenSigningKey("kid", System.Security.Cryptography.RSA.Create(2048)));
        var sessions = Substitute.For<ISessionStore>();
        sessions.IssueAsync(Arg.Any<NewSessions>(), Arg.Any<CancellationToken>()).Returns(false);
        var clock = new FakeTimeProvider(DateTimeOffset.UnixEpoch.AddYears(60));
        var handler = new IssueSessionsHandler(
            applications, _accounts, sessions, signingKeys, new SessionTokenCodec(clock, Options.Create(new SessionTokenOptions())), clock);

        var outcome = await handler.Handle(new IssueSessionsCommand(Account, Anchor.Value, 1, 60), CancellationToken.None);

        Assert.Equal(code, outcome.Failure?.Code);
    }

    [Fact]
    public async Task Subject_issue_for_a_deleted_account_says_it_was_deleted()
    {
        var applications = Substitute.For<IApplicationRegistry>();
        applications.FindAsync(Anchor, Arg.Any<CancellationToken>()).Returns((App, Sector));
        _accounts.GetStatusAsync(Account, Arg.Any<CancellationToken>()).Returns(AccountStatus.Deleted);

        var outcome = await new IssueSubjectHandler(applications, _accounts)
            .Handle(new IssueSubjectCommand(Account, Anchor.Value), CancellationToken.None);

        Assert.Equal(AdministrationErrorCode.AccountDeleted, outcome.Failure?.Code);
    }
}
