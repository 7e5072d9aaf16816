using Connect.Domain.Accounts;
using Dapper;
using Npgsql;

namespace Connect.Api.Tests.Resilience;

/// <summary>
/// Holds a row lock on one of an account's refresh tokens, so a revoke-all for that account stops inside its
/// UPDATE until the lock is released: a deterministic "middle of a revocation" for fault tests.
/// </summary>
internal sealed class RevocationBlocker : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly string _connectionString;

    private RevocationBlocker(NpgsqlConnection connection, NpgsqlTransaction transaction, string connectionString)
    {
        _connection = connection;
        _transaction = transaction;
        _connectionString = connectionString;
    }

    public static async Task<RevocationBlocker> LockOneTokenAsync(string connectionString, AccountId account)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(
            "SELECT id FROM sessions WHERE account_id = @Account ORDER BY id DESC LIMIT 1 FOR UPDATE",
            new { Account = account.Value },
            transaction);
        return new RevocationBlocker(connection, transaction, connectionString);
    }

    /// <summary>Waits until a revoking UPDATE is blocked on our lock and returns its backend pid.</summary>
    public async Task<int> WaitForBlockedRevocationAsync()
    {
        await using var observer = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false }.ConnectionString);
        await observer.OpenAsync();
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var pid = await observer.QuerySingleOrDefaultAsync<int?>("""
                SELECT pid FROM pg_stat_activity
                 WHERE wait_event_type = 'Lock' AND query LIKE '%UPDATE sessions%' AND pid <> pg_backend_pid()
                 LIMIT 1
                """);
            if (pid is { } blocked)
            {
                return blocked;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException("No revocation blocked on the lock within 10 s.");
    }

    public async Task TerminateAsync(int pid)
    {
        await using var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_connectionString) { Pooling = false }.ConnectionString);
        await admin.OpenAsync();
        await admin.ExecuteAsync("SELECT pg_terminate_backend(@Pid)", new { Pid = pid });
    }

    public async Task ReleaseAsync()
    {
        if (_transaction.Connection is not null)
        {
            await _transaction.RollbackAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _transaction.DisposeAsync();
            await _connection.DisposeAsync();
        }
        catch (NpgsqlException)
        {
            // The server may have gone away under a fault test; nothing left to release.
        }
    }
}
