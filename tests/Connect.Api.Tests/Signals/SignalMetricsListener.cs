using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Connect.Application.Signals;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Api.Tests.Signals;

/// <summary>Listens to one service's signal instruments only (other services run in this process at the same time).</summary>
internal sealed class SignalMetricsListener : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly ConcurrentDictionary<string, long> _deliveries = new(StringComparer.Ordinal);
    private long _pending;
    private double _oldest;

    public SignalMetricsListener(IServiceProvider services)
    {
        var meters = services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Name.StartsWith("connect.signals.", StringComparison.Ordinal) && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            if (instrument.Name == SignalMetrics.DeliveriesName)
            {
                Assert.Equal(1, tags.Length);
                _deliveries.AddOrUpdate((string)tags[0].Value!, value, (_, sum) => sum + value);
            }
            else if (instrument.Name == SignalMetrics.PendingName)
            {
                Interlocked.Exchange(ref _pending, value);
            }
        });
        _listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) =>
        {
            if (instrument.Name == SignalMetrics.DeliveryLatencyName)
            {
                Assert.Equal(0, tags.Length);
                Latencies.Enqueue(value);
            }
            else if (instrument.Name == SignalMetrics.OldestPendingAgeName)
            {
                Interlocked.Exchange(ref _oldest, value);
            }
        });
        _listener.Start();
    }

    public ConcurrentQueue<double> Latencies { get; } = new();

    public long Deliveries(string outcome) => _deliveries.GetValueOrDefault(outcome);

    public long Pending()
    {
        _listener.RecordObservableInstruments();
        return Interlocked.Read(ref _pending);
    }

    public double OldestPendingAge()
    {
        _listener.RecordObservableInstruments();
        return Volatile.Read(ref _oldest);
    }

    public void Dispose() => _listener.Dispose();
}
