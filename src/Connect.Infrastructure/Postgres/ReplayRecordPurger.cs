using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Connect.Infrastructure.Postgres;

/// <summary>
/// Deletes replay records whose token can no longer be valid, on a schedule, so the table stays bounded by
/// the traffic of the last ~90 seconds. A failed round is logged and tried again next time.
/// </summary>
internal sealed partial class ReplayRecordPurger(
    PostgresClientJwtReplayStore store,
    IOptions<PostgresOptions> options,
    TimeProvider clock,
    ILogger<ReplayRecordPurger> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReplayPurgeInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var purged = await store.PurgeExpiredAsync(stoppingToken);
                LogPurged(purged);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogPurgeFailed(exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Purged {Count} expired client-JWT replay records")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired client-JWT replay records failed; will retry")]
    private partial void LogPurgeFailed(Exception exception);
}
