namespace Connect.Application.Refresh;

/// <summary>Configurable parts of <c>/refresh</c> (configuration section <c>Connect:Sessions</c>).</summary>
public sealed class RefreshOptions
{
    public const string SectionName = "Connect:Sessions";

    public const int DefaultRefreshGraceSeconds = 30;

    public const int MaxRefreshGraceSeconds = 60;

    /// <summary>
    /// How long after a rotation the previous version still adopts the current refresh token (docs/contract/sessions.md: default
    /// 30 s, 0 to 60): long enough for a client retrying through a database failover, short enough that a stolen
    /// consumed token is caught.
    /// </summary>
    public int RefreshGraceSeconds { get; set; } = DefaultRefreshGraceSeconds;

    public TimeSpan GraceWindow => TimeSpan.FromSeconds(RefreshGraceSeconds);

    public const int MaxAdoptionAlertThreshold = 1000;

    /// <summary>
    /// How many adoptions of one session pass without remark: a client that loses its answer adopts now and then; a
    /// session adopted more often than this is audited (<c>adoption_threshold_exceeded</c>) and counted in
    /// <c>connect.refresh.adoption_alerts</c>, once, as a previous token replayed within the window may be. The
    /// answers stay the contract's.
    /// </summary>
    public int AdoptionAlertThreshold { get; set; } = 5;
}
