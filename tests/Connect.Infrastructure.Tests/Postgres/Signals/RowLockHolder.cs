using Connect.Domain.Accounts;
using Connect.Domain.Signals;
using Dapper;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres.Signals;

/// <summary>
/// Holds a row lock on one session or account (or a receiver's signals), so that statements which change it stop until it is released: a
/// deterministic way to have several revocations in flight at the same moment.
/// </summary>
internal sealed class RowLockHolder : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _transaction;
    private readonly string _connectionString;

    private RowLockHolder(NpgsqlConnection connection, NpgsqlTransaction transaction, string connectionString)
    {
        _connection = connection;
        _transaction = transaction;
        _connectionString = connectionString;
    }

    public static Task<RowLockHolder> LockSessionAsync(string connectionString, string sid) =>
        LockAsync(connectionString, "SELECT id FROM sessions WHERE sid = @Key FOR UPDATE", sid);

    public static Task<RowLockHolder> LockAccountAsync(string connectionString, AccountId account) =>
        LockAsync(connectionString, "SELECT id FROM accounts WHERE id = @Key FOR UPDATE", account.Value);

    /// <summary>Every signal of one receiver, so that a removal, once it holds the receiver, waits to delete them.</summary>
    public static Task<RowLockHolder> LockReceiverSignalsAsync(string connectionString, ReceiverId receiver) =>
        LockAsync(connectionString, "SELECT id FROM signals WHERE receiver_id = @Key FOR UPDATE", receiver.Value);

    private static async Task<RowLockHolder> LockAsync(string connectionString, string sql, object key)
    {
        var connection = new NpgsqlConnection(Unpooled(connectionString));
        await connection.OpenAsync();
        var transaction = await connection.BeginTransactionAsync();
        await connection.ExecuteAsync(sql, new { Key = key }, transaction);
        return new RowLockHolder(connection, transaction, connectionString);
    }

    /// <summary>Waits until <paramref name="count"/> other statements of this database wait on a lock.</summary>
    public async Task WaitForBlockedAsync(int count)
    {
        // Its own connection: inside the locking transaction pg_stat_activity would stay the snapshot of its first read.
        await using var observer = new NpgsqlConnection(Unpooled(_connectionString));
        await observer.OpenAsync();
        for (var attempt = 0; attempt < 600; attempt++)
        {
            var blocked = await observer.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'");
            if (blocked >= count)
            {
                return;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"Fewer than {count} statements blocked on the lock within 30 s.");
    }

    public Task ReleaseAsync() => _transaction.RollbackAsync();

    public async ValueTask DisposeAsync()
    {
        await _transaction.DisposeAsync();
        await _connection.DisposeAsync();
    }

    private static string Unpooled(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
}
