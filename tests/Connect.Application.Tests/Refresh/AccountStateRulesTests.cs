using Connect.Application.Introspect;
using Connect.Application.Refresh;
using Connect.Application.SessionTokens;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Sessions;

namespace Connect.Application.Tests.Refresh;

/// <summary>Where a disabled or deleted account stands among the session checks of /refresh and /introspect.</summary>
public sealed class AccountStateRulesTests
{
    private static readonly AppId Application = new(Guid.NewGuid());
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);

    private static readonly VerifiedSessionToken<AccessTokenClaims> Token = new(
        Application, new ApplicationAnchor("acme"), "kid",
        new AccessTokenClaims("https://connect.example", "acme", "subject-1", "sid", "jti", Now.ToUnixTimeSeconds(), Now.ToUnixTimeSeconds() + 900));

    private static SessionState Session(
        bool accountEnabled = true, bool accountDeleted = false, bool applicationEnabled = true, DateTimeOffset? revokedAt = null,
        DateTimeOffset? expiresAt = null, string? subject = "subject-1") => new(
        new SessionId("sid"), Application, new AccountId(Guid.NewGuid()), subject is null ? null : new SectorSubject(subject),
        applicationEnabled, RotationVersion: 2, CurrentJti: "jti-2", PreviousJti: "jti-1", Now.AddSeconds(-5), "kid",
        expiresAt ?? Now.AddDays(1), revokedAt, accountEnabled, accountDeleted);

    private static RefreshVerdict Judge(SessionState session, int version = 2, string jti = "jti-2") =>
        RefreshRules.Judge(session, Application, version, jti, Now, TimeSpan.FromSeconds(30));

    [Fact]
    public void Current_version_of_a_disabled_account_is_AccountDisabled() =>
        Assert.Equal(RefreshVerdict.AccountDisabled, Judge(Session(accountEnabled: false)));

    [Fact]
    public void Previous_version_of_a_disabled_account_in_the_grace_window_is_AccountDisabled_not_adopted() =>
        Assert.Equal(RefreshVerdict.AccountDisabled, Judge(Session(accountEnabled: false), 1, "jti-1"));

    [Fact]
    public void An_old_version_of_a_disabled_account_is_AccountDisabled_and_revokes_nothing() =>
        Assert.Equal(RefreshVerdict.AccountDisabled, Judge(Session(accountEnabled: false) with { RotationVersion = 5, CurrentJti = "jti-5" }));

    [Fact]
    public void Revoked_expired_and_a_disabled_application_come_before_the_account()
    {
        Assert.Equal(RefreshVerdict.Revoked, Judge(Session(accountEnabled: false, revokedAt: Now)));
        Assert.Equal(RefreshVerdict.Expired, Judge(Session(accountEnabled: false, expiresAt: Now)));
        Assert.Equal(RefreshVerdict.ApplicationDisabled, Judge(Session(accountEnabled: false, applicationEnabled: false)));
    }

    [Fact]
    public void A_forged_jti_is_invalid_before_the_account_is_looked_at() =>
        Assert.Equal(RefreshVerdict.Invalid, Judge(Session(accountEnabled: false), 2, "other"));

    [Fact]
    public void Deleted_accounts_revoked_session_is_revoked() =>
        Assert.Equal(RefreshVerdict.Revoked, Judge(Session(accountEnabled: false, accountDeleted: true, revokedAt: Now, subject: null)));

    [Fact]
    public void Disabled_accounts_session_introspects_as_revoked_and_enabled_again_as_active()
    {
        Assert.Equal(SessionStatus.Revoked, SessionStatusRules.Judge(Session(accountEnabled: false), Token, Now));
        Assert.Equal(SessionStatus.Active, SessionStatusRules.Judge(Session(), Token, Now));
    }

    [Fact]
    public void Deleted_accounts_session_without_a_subject_introspects_as_revoked_not_not_found() =>
        Assert.Equal(
            SessionStatus.Revoked,
            SessionStatusRules.Judge(Session(accountEnabled: false, accountDeleted: true, revokedAt: Now, subject: null), Token, Now));

    [Fact]
    public void Deleted_accounts_session_named_by_another_application_is_still_not_found() =>
        Assert.Equal(
            SessionStatus.NotFound,
            SessionStatusRules.Judge(
                Session(accountEnabled: false, accountDeleted: true, revokedAt: Now, subject: null) with { Application = new AppId(Guid.NewGuid()) },
                Token, Now));

    [Fact]
    public void Disabled_accounts_session_past_its_expiry_is_expired() =>
        Assert.Equal(SessionStatus.Expired, SessionStatusRules.Judge(Session(accountEnabled: false, expiresAt: Now), Token, Now));
}
