using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using Connect.Api.Tests.Observability;
using Connect.Application.Refresh;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Refresh;

/// <summary>Rotations, adoptions, reuses and lost races are counted on the meter <c>Connect</c>, tagged by outcome only.</summary>
public sealed class RefreshMetricsTests(RefreshTarget target) : IClassFixture<RefreshTarget>, IDisposable
{
    private readonly ConcurrentQueue<(string Outcome, long Value, int Tags)> _measured = new();
    private readonly MeterListener _listener = new();

    public void Dispose() => _listener.Dispose();

    [Fact]
    public async Task Each_change_to_a_session_is_counted_by_its_outcome_and_carries_no_token_or_sid()
    {
        // Only this service's meter: other tests run their own services in this process at the same time.
        var meters = target.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name == RefreshMetrics.RotationsName && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
            _measured.Enqueue(((string)tags[0].Value!, value, tags.Length)));
        _listener.Start();
        var session = await target.IssueAsync();

        var (_, second) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(session.RefreshToken));
        await RefreshAssert.RefreshedAsync(await target.RefreshAsync(session.RefreshToken));
        await RefreshAssert.RefreshedAsync(await target.RefreshAsync(second));
        await RefreshAssert.ReasonAsync(await target.RefreshAsync(session.RefreshToken), HttpStatusCode.Unauthorized, "RefreshTokenFamilyCompromised");
        await RefreshAssert.ReasonAsync(await target.RefreshAsync("not-a-token"), HttpStatusCode.Unauthorized, "RefreshTokenInvalid");

        await ObservabilityHarness.EventuallyAsync(() => _measured.Count >= 4 ? _measured : null);
        Assert.Equal(
            [("rotated", 1L, 1), ("adopted", 1L, 1), ("rotated", 1L, 1), ("reuse_detected", 1L, 1)],
            _measured.ToList());
    }
}
