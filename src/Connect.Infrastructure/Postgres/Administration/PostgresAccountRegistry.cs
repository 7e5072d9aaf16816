using System.Buffers.Text;
using System.Security.Cryptography;
using Connect.Application.Administration;
using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Dapper;
using Npgsql;

namespace Connect.Infrastructure.Postgres.Administration;

internal sealed class PostgresAccountRegistry(NpgsqlDataSource dataSource) : IAccountRegistry
{
    internal const string CreateAccountSql = "INSERT INTO accounts (id) VALUES (@Id)";

    // Insert-or-read in one statement. The outer SELECT cannot see the row its own INSERT adds (one
    // snapshot), so the two branches never both answer.
    internal const string IssueSubjectSql = """
        WITH inserted AS (
            INSERT INTO sector_subjects (sector_id, subject, account_id)
            SELECT @Sector, @Subject, id FROM accounts WHERE id = @Account
            ON CONFLICT (sector_id, account_id) DO NOTHING
            RETURNING subject)
        SELECT subject FROM inserted
        UNION ALL
        SELECT subject FROM sector_subjects WHERE sector_id = @Sector AND account_id = @Account
        LIMIT 1
        """;

    internal const string AccountExistsSql = "SELECT EXISTS (SELECT 1 FROM accounts WHERE id = @Account)";

    internal const string IssueSessionsSql = """
        INSERT INTO sessions (account_id, application_id, sid, current_jti, rotated_at, issued_at, expires_at)
        SELECT @Account, @Application, ids.sid, ids.jti, date_trunc('second', @IssuedAt::timestamptz), @IssuedAt, @ExpiresAt
          FROM unnest(@Sids, @Jtis) AS ids (sid, jti)
        """;

    internal const string CountSessionsSql = """
        SELECT count(*) FILTER (WHERE revoked_at IS NULL AND expires_at > now())  AS active,
               count(*) FILTER (WHERE revoked_at IS NOT NULL)                     AS revoked,
               count(*) FILTER (WHERE revoked_at IS NULL AND expires_at <= now()) AS expired
          FROM sessions
         WHERE account_id = @Account AND application_id = @Application
        """;

    public async Task<AccountId> CreateAccountAsync(CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(CreateAccountSql, new { Id = id }, cancellationToken: cancellationToken));
        return new AccountId(id);
    }

    public async Task<bool> AccountExistsAsync(AccountId account, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            AccountExistsSql, new { Account = account.Value }, cancellationToken: cancellationToken));
    }

    public async Task<SectorSubject?> IssueSubjectAsync(AccountId account, SectorId sector, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);

        // A concurrent first issue can make both branches miss (its row is newer than our snapshot): ask again.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var subject = await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
                IssueSubjectSql,
                new { Sector = sector.Value, Account = account.Value, Subject = NewSubject() },
                cancellationToken: cancellationToken));
            if (subject is not null)
            {
                return new SectorSubject(subject);
            }

            var exists = await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                AccountExistsSql, new { Account = account.Value }, cancellationToken: cancellationToken));
            if (!exists)
            {
                return null;
            }
        }

        throw new InvalidOperationException("The sector subject could not be issued.");
    }

    public async Task<int> IssueSessionsAsync(
        AccountId account, AppId application, int count, DateTimeOffset issuedAt, DateTimeOffset expiresAt,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);

        var sids = Enumerable.Range(0, count).Select(_ => NewOpaqueId()).ToArray();
        var jtis = Enumerable.Range(0, count).Select(_ => NewOpaqueId()).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            IssueSessionsSql,
            new { Account = account.Value, Application = application.Value, Sids = sids, Jtis = jtis, IssuedAt = issuedAt, ExpiresAt = expiresAt },
            cancellationToken: cancellationToken));
    }

    public async Task<SessionCounts> CountSessionsAsync(AccountId account, AppId application, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var (active, revoked, expired) = await connection.QuerySingleAsync<(long, long, long)>(new CommandDefinition(
            CountSessionsSql, new { Account = account.Value, Application = application.Value }, cancellationToken: cancellationToken));
        return new SessionCounts((int)active, (int)revoked, (int)expired);
    }

    /// <summary>256 random bits, base64url: opaque, unguessable, unrelated to the account id.</summary>
    private static string NewSubject() => NewOpaqueId();

    private static string NewOpaqueId() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
}
