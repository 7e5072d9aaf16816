namespace Connect.Infrastructure.Postgres;

/// <summary>
/// Deletes replay records whose token can no longer be valid, on a schedule, so the table stays bounded by
/// the traffic of the last ~90 seconds. A round deletes in batches with a pause between them: one statement
/// for a minute of traffic (150,000 records at 2,500 requests/s) took the database's CPU from requests for
/// seconds at a time, and the bench's open-model run saw answers wait up to 100 ms behind it. A failed round
/// is logged and tried again next time.
/// </summary>
internal sealed partial class ReplayRecordPurger(
    PostgresClientJwtReplayStore store,
    IOptions<PostgresOptions> options,
    TimeProvider clock,
    ILogger<ReplayRecordPurger> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        using var timer = new PeriodicTimer(settings.ReplayPurgeInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                var purged = await PurgeRoundAsync(settings, stoppingToken);
                LogPurged(purged);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogPurgeFailed(exception);
            }
        }
    }

    private async Task<int> PurgeRoundAsync(PostgresOptions settings, CancellationToken stoppingToken)
    {
        var total = 0;
        int purged;
        while ((purged = await store.PurgeExpiredAsync(settings.ReplayPurgeBatchSize, stoppingToken)) == settings.ReplayPurgeBatchSize)
        {
            total += purged;
            await Task.Delay(settings.ReplayPurgeBatchPause, clock, stoppingToken);
        }

        return total + purged;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Purged {Count} expired client-JWT replay records")]
    private partial void LogPurged(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Purging expired client-JWT replay records failed; will retry")]
    private partial void LogPurgeFailed(Exception exception);
}
