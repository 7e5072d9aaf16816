using Connect.Application.Refresh;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Domain.Sessions;

namespace Connect.Application.Tests.Refresh;

public sealed class RefreshRulesTests
{
    private static readonly AppId Application = new(Guid.NewGuid());
    private static readonly DateTimeOffset RotatedAt = new(2026, 11, 30, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(30);

    // A session at version 5: the current jti is "jti-5", the previous one "jti-4".
    private static SessionState Session(
        DateTimeOffset? revokedAt = null, bool enabled = true, DateTimeOffset? expiresAt = null) => new(
        new SessionId("sid"), Application, new AccountId(Guid.NewGuid()), new SectorSubject("sub"), enabled,
        RotationVersion: 5, CurrentJti: "jti-5", PreviousJti: "jti-4", RotatedAt, CurrentKeyId: "kid",
        ExpiresAt: expiresAt ?? RotatedAt.AddDays(30), RevokedAt: revokedAt);

    private static RefreshVerdict Judge(SessionState? session, int version, string jti, TimeSpan sinceRotation) =>
        RefreshRules.Judge(session, Application, version, jti, RotatedAt + sinceRotation, Grace);

    [Fact]
    public void The_current_version_with_its_jti_rotates() =>
        Assert.Equal(RefreshVerdict.Rotate, Judge(Session(), 5, "jti-5", TimeSpan.FromHours(1)));

    [Fact]
    public void The_previous_version_adopts_at_exactly_the_grace_window() =>
        Assert.Equal(RefreshVerdict.Adopt, Judge(Session(), 4, "jti-4", Grace));

    [Fact]
    public void The_previous_version_one_second_past_the_window_is_reuse() =>
        Assert.Equal(RefreshVerdict.Reuse, Judge(Session(), 4, "jti-4", Grace + TimeSpan.FromSeconds(1)));

    [Theory]
    [InlineData(-3600)]
    [InlineData(3600)]
    public void The_databases_time_since_the_rotation_decides_whatever_the_instances_clock_says(int skewSeconds)
    {
        var instanceNow = RotatedAt.AddSeconds(skewSeconds);

        Assert.Equal(
            RefreshVerdict.Adopt,
            RefreshRules.Judge(Session() with { SinceRotation = Grace }, Application, 4, "jti-4", instanceNow, Grace));
        Assert.Equal(
            RefreshVerdict.Reuse,
            RefreshRules.Judge(Session() with { SinceRotation = Grace + TimeSpan.FromSeconds(1) }, Application, 4, "jti-4", instanceNow, Grace));
    }

    [Fact]
    public void A_zero_grace_window_adopts_only_within_the_same_instant()
    {
        Assert.Equal(RefreshVerdict.Adopt, RefreshRules.Judge(Session(), Application, 4, "jti-4", RotatedAt, TimeSpan.Zero));
        Assert.Equal(RefreshVerdict.Reuse, RefreshRules.Judge(Session(), Application, 4, "jti-4", RotatedAt.AddSeconds(1), TimeSpan.Zero));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void An_older_version_is_reuse_even_inside_the_window(int version) =>
        Assert.Equal(RefreshVerdict.Reuse, Judge(Session(), version, "any-old-jti", TimeSpan.Zero));

    [Theory]
    [InlineData(6, "jti-6")]
    [InlineData(5, "jti-4")]
    [InlineData(4, "jti-5")]
    [InlineData(0, "jti-0")]
    public void A_version_ahead_or_a_jti_that_is_not_that_versions_is_invalid(int version, string jti) =>
        Assert.Equal(RefreshVerdict.Invalid, Judge(Session(), version, jti, TimeSpan.Zero));

    [Fact]
    public void A_session_of_another_application_or_none_is_invalid()
    {
        Assert.Equal(RefreshVerdict.Invalid, Judge(null, 5, "jti-5", TimeSpan.Zero));
        Assert.Equal(
            RefreshVerdict.Invalid,
            RefreshRules.Judge(Session(), new AppId(Guid.NewGuid()), 5, "jti-5", RotatedAt, Grace));
    }

    [Fact]
    public void Revoked_comes_before_expired_disabled_and_every_version()
    {
        var session = Session(revokedAt: RotatedAt, enabled: false, expiresAt: RotatedAt.AddSeconds(1));

        Assert.Equal(RefreshVerdict.Revoked, Judge(session, 5, "jti-5", TimeSpan.FromDays(1)));
        Assert.Equal(RefreshVerdict.Revoked, Judge(session, 4, "jti-4", TimeSpan.Zero));
        Assert.Equal(RefreshVerdict.Revoked, Judge(session, 1, "old", TimeSpan.Zero));
    }

    [Fact]
    public void Expired_comes_before_disabled_and_the_version()
    {
        var session = Session(enabled: false, expiresAt: RotatedAt.AddSeconds(10));

        Assert.Equal(RefreshVerdict.Expired, Judge(session, 5, "jti-5", TimeSpan.FromSeconds(10)));
        Assert.Equal(RefreshVerdict.ApplicationDisabled, Judge(session, 5, "jti-5", TimeSpan.FromSeconds(9)));
    }

    [Fact]
    public void A_disabled_application_refuses_even_a_reuse() =>
        Assert.Equal(RefreshVerdict.ApplicationDisabled, Judge(Session(enabled: false), 1, "old", TimeSpan.Zero));
}
