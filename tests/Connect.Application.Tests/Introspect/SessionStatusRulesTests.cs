using Connect.Application.Introspect;
using Connect.Application.SessionTokens;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Sessions;

namespace Connect.Application.Tests.Introspect;

public sealed class SessionStatusRulesTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_750_000_000);
    private static readonly AppId App = new(Guid.NewGuid());

    private static readonly VerifiedSessionToken<AccessTokenClaims> Token = new(
        App, new ApplicationAnchor("acme"), "kid",
        new AccessTokenClaims("https://connect.example", "acme", "subject-1", "sid-1", "jti", Now.ToUnixTimeSeconds(), Now.ToUnixTimeSeconds() + 900));

    private static SessionState Session(
        AppId? application = null, string? subject = "subject-1", bool enabled = true, DateTimeOffset? expiresAt = null,
        DateTimeOffset? revokedAt = null) =>
        new(
            new SessionId("sid-1"), application ?? App, new AccountId(Guid.NewGuid()),
            subject is null ? null : new SectorSubject(subject), enabled, 1, "jti-1", null, Now, "kid",
            expiresAt ?? Now.AddHours(1), revokedAt);

    [Fact]
    public void Active_session_of_the_tokens_application_and_subject_is_active() =>
        Assert.Equal(SessionStatus.Active, SessionStatusRules.Judge(Session(), Token, Now));

    [Fact]
    public void No_session_is_not_found() =>
        Assert.Equal(SessionStatus.NotFound, SessionStatusRules.Judge(null, Token, Now));

    [Fact]
    public void Session_of_another_application_is_not_found_even_when_revoked() =>
        Assert.Equal(SessionStatus.NotFound, SessionStatusRules.Judge(Session(application: new AppId(Guid.NewGuid()), revokedAt: Now), Token, Now));

    [Theory]
    [InlineData("subject-2")]
    [InlineData("SUBJECT-1")]
    [InlineData(null)]
    public void Session_of_another_subject_is_not_found(string? subject) =>
        Assert.Equal(SessionStatus.NotFound, SessionStatusRules.Judge(Session(subject: subject), Token, Now));

    [Fact]
    public void Revoked_is_said_before_expired() =>
        Assert.Equal(SessionStatus.Revoked, SessionStatusRules.Judge(Session(expiresAt: Now.AddSeconds(-1), revokedAt: Now.AddHours(-1)), Token, Now));

    [Fact]
    public void Session_expires_at_its_expiry_to_the_second()
    {
        Assert.Equal(SessionStatus.Active, SessionStatusRules.Judge(Session(expiresAt: Now.AddSeconds(1)), Token, Now));
        Assert.Equal(SessionStatus.Expired, SessionStatusRules.Judge(Session(expiresAt: Now), Token, Now));
    }

    [Fact]
    public void Session_of_a_disabled_application_is_revoked_but_an_expired_one_stays_expired()
    {
        Assert.Equal(SessionStatus.Revoked, SessionStatusRules.Judge(Session(enabled: false), Token, Now));
        Assert.Equal(SessionStatus.Expired, SessionStatusRules.Judge(Session(enabled: false, expiresAt: Now), Token, Now));
    }

    [Fact]
    public void The_tokens_own_expiry_is_not_judged() =>
        Assert.Equal(SessionStatus.Active, SessionStatusRules.Judge(Session(expiresAt: Now.AddDays(2)), Token, Now.AddDays(1)));
}
