using System.Diagnostics.Metrics;
using System.Net;
using Connect.Application.Refresh;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Npgsql;

namespace Connect.Api.Tests.Refresh;

/// <summary>
/// The grace window is judged on the database's clock, whichever instance rotated and whichever judges: instances
/// whose clocks disagree with each other and with the database adopt and refuse exactly as the database's time says.
/// And a session adopted more often than the threshold is audited and counted, once, with the answers unchanged.
/// </summary>
public sealed class AdoptionClockTests : IAsyncLifetime
{
    private readonly RefreshTarget _target = new();

    public Task InitializeAsync() => _target.InitializeAsync();

    public Task DisposeAsync() => _target.DisposeAsync();

    [Fact]
    public async Task An_instance_whose_clock_is_an_hour_ahead_of_the_rotating_one_adopts_on_the_databases_time()
    {
        // The first instance (target.Clock) stands an hour behind the real time; this one stands an hour ahead of it.
        var ahead = _target.StartInstance(clock: new FakeTimeProvider(_target.Clock.GetUtcNow().AddHours(1)));
        var session = await _target.IssueAsync();
        var (_, current) = await RefreshAssert.RefreshedAsync(await _target.RefreshAsync(session.RefreshToken));

        var adopted = await _target.RefreshAsync(session.RefreshToken, ahead.Client);

        Assert.Equal(current, (await RefreshAssert.RefreshedAsync(adopted)).Refresh, StringComparer.Ordinal);
        Assert.Null((await _target.RowAsync(session.SessionId)).RevokedAt);
    }

    [Fact]
    public async Task An_instance_whose_clock_is_behind_refuses_once_the_databases_window_has_passed()
    {
        // An hour behind the rotating instance: by its own clock the rotation has not even happened yet.
        var behind = _target.StartInstance(clock: new FakeTimeProvider(_target.Clock.GetUtcNow().AddHours(-1)));
        var inside = await _target.IssueAsync();
        var past = await _target.IssueAsync();
        var (_, insideCurrent) = await RefreshAssert.RefreshedAsync(await _target.RefreshAsync(inside.RefreshToken));
        await RefreshAssert.RefreshedAsync(await _target.RefreshAsync(past.RefreshToken));

        // The instance's first request pays for its warm-up (seconds on a loaded machine), outside the window's margin.
        await RefreshAssert.RefreshedAsync(await _target.RefreshAsync((await _target.IssueAsync()).RefreshToken, behind.Client));

        // Well inside the window on the database's clock (a request's own time there is not the test's to fix).
        await _target.AgeRotationAsync(inside.SessionId, TimeSpan.FromSeconds(RefreshTarget.GraceSeconds - 20));
        var inWindow = await _target.RefreshAsync(inside.RefreshToken, behind.Client);
        await _target.AgeRotationAsync(past.SessionId, TimeSpan.FromSeconds(RefreshTarget.GraceSeconds + 1));
        var pastWindow = await _target.RefreshAsync(past.RefreshToken, behind.Client);

        Assert.Equal(insideCurrent, (await RefreshAssert.RefreshedAsync(inWindow)).Refresh, StringComparer.Ordinal);
        await RefreshAssert.ReasonAsync(pastWindow, HttpStatusCode.Unauthorized, "RefreshTokenFamilyCompromised");
        Assert.Equal("reuse_detected", (await _target.RowAsync(past.SessionId)).RevokedReason);
    }

    [Fact]
    public async Task Adoptions_past_the_threshold_are_audited_and_counted_once_and_still_answered()
    {
        var service = _target.StartInstance(new Dictionary<string, string?> { ["Connect:Sessions:AdoptionAlertThreshold"] = "2" });
        using var alerts = new AlertCounter(service.Services);
        var session = await _target.IssueAsync();
        var (_, current) = await RefreshAssert.RefreshedAsync(await _target.RefreshAsync(session.RefreshToken, service.Client));

        var answers = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add((await RefreshAssert.RefreshedAsync(await _target.RefreshAsync(session.RefreshToken, service.Client))).Refresh);
        }

        Assert.All(answers, answer => Assert.Equal(current, answer, StringComparer.Ordinal));
        Assert.Equal((1L, 5), (alerts.Count, await AdoptionsAsync(session.SessionId)));
        var row = await _target.RowAsync(session.SessionId);
        Assert.Equal(("adoption_threshold_exceeded", null), (row.AuditKinds, row.RevokedAt));
    }

    private async Task<int> AdoptionsAsync(string sid)
    {
        await using var connection = await _target.Db.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        return await connection.QuerySingleAsync<int>("SELECT adoptions FROM sessions WHERE sid = @Sid", new { Sid = sid });
    }

    /// <summary>Counts <c>connect.refresh.adoption_alerts</c> of one service's own meter.</summary>
    private sealed class AlertCounter : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Meter _meter;
        private long _count;

        public AlertCounter(IServiceProvider services)
        {
            _meter = services.GetRequiredService<IMeterFactory>().Create(Connect.Application.Observability.ConnectTelemetry.Name);
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (ReferenceEquals(instrument.Meter, _meter) && instrument.Name == RefreshMetrics.AdoptionAlertsName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref _count, value));
            _listener.Start();
        }

        public long Count => Interlocked.Read(ref _count);

        public void Dispose() => _listener.Dispose();
    }
}
