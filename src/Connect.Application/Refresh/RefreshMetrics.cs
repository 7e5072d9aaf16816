namespace Connect.Application.Refresh;

/// <summary>
/// What <c>/refresh</c> did to sessions, counted on the meter <c>Connect</c> (docs/contract/sessions.md: rotations are counted in
/// metrics, not audited one by one). The one tag is the outcome, a closed set: never a token, subject or sid.
/// </summary>
public sealed class RefreshMetrics
{
    public const string RotationsName = "connect.refresh.rotations";

    public const string OutcomeTag = "outcome";

    public const string Rotated = "rotated";
    public const string Adopted = "adopted";
    public const string ReuseDetected = "reuse_detected";
    public const string RaceLost = "race_lost";

    public const string AdoptionAlertsName = "connect.refresh.adoption_alerts";

    private readonly Counter<long> _rotations;

    private readonly Counter<long> _adoptionAlerts;

    /// <param name="meters">The host's factory (ASP.NET Core registers one), so each service's meter is its own.</param>
    public RefreshMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _rotations = meters.Create(ConnectTelemetry.Name).CreateCounter<long>(
            RotationsName, "{refresh}",
            "POST /refresh answers that changed or re-answered a session, by outcome: rotated, adopted (the previous " +
            "version inside the grace window), reuse_detected, race_lost (both revoke the session).");
        _adoptionAlerts = meters.Create(ConnectTelemetry.Name).CreateCounter<long>(
            AdoptionAlertsName, "{session}",
            "Sessions adopted more often than Connect:Sessions:AdoptionAlertThreshold, each counted once, when it passed " +
            "(also audited as adoption_threshold_exceeded).");
    }

    public void CountAdoptionAlert() => _adoptionAlerts.Add(1);

    public void Count(string outcome) => _rotations.Add(1, new KeyValuePair<string, object?>(OutcomeTag, outcome));
}
