namespace Connect.Infrastructure.Postgres;

/// <summary>Tells whether the database answers, within a short bound.</summary>
public sealed class PostgresReadinessProbe(NpgsqlDataSource dataSource)
{
    internal const string ProbeSql = "SELECT 1";

    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(3);

    public async Task<bool> IsReadyAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Bound);
        try
        {
            await using var connection = await dataSource.OpenConnectionAsync(timeout.Token);
            return await connection.ExecuteScalarAsync<int>(new CommandDefinition(ProbeSql, cancellationToken: timeout.Token)) == 1;
        }
        catch (Exception exception) when (exception is NpgsqlException or OperationCanceledException or TimeoutException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return false;
        }
    }
}
