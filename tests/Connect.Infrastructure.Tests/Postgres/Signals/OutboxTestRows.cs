using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Dapper;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres.Signals;

/// <summary>What the outbox tests read and arrange in the database beside the registries.</summary>
internal static class OutboxTestRows
{
    /// <summary>
    /// A test-only constraint that refuses any signal for <paramref name="receiver"/>: a revocation that owes it one
    /// then fails in its signals insert, the honest way to see that the revocation does not outlive its signals.
    /// </summary>
    public static async Task RefuseSignalsForAsync(string connectionString, Guid receiver)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync(
            $"ALTER TABLE signals ADD CONSTRAINT test_refused_receiver CHECK (receiver_id <> '{receiver}')");
    }

    /// <summary>The distinct revocation times of the account's sessions in the application (none for active ones).</summary>
    public static async Task<IReadOnlyList<DateTime>> RevokedAtAsync(string connectionString, AccountId account, AppId application)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return [.. await connection.QueryAsync<DateTime>(
            """
            SELECT DISTINCT revoked_at FROM sessions
             WHERE account_id = @Account AND application_id = @Application AND revoked_at IS NOT NULL
            """,
            new { Account = account.Value, Application = application.Value })];
    }

    public static async Task<long> AuditRowsAsync(string connectionString)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM revocation_audit");
    }

    /// <summary>The sids of the account's sessions in the application.</summary>
    public static async Task<IReadOnlyList<string>> SidsAsync(string connectionString, AccountId account, AppId application)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        return [.. await connection.QueryAsync<string>(
            "SELECT sid FROM sessions WHERE account_id = @Account AND application_id = @Application ORDER BY id",
            new { Account = account.Value, Application = application.Value })];
    }
}
