namespace Connect.Infrastructure.Postgres.Passkeys;

internal sealed class PostgresEnrollmentLinks(NpgsqlDataSource dataSource) : IEnrollmentLinks
{
    internal const string CreateSql = """
        INSERT INTO passkey_enrollment_links (id, account_id, token_hash, expires_at)
        SELECT @Id, id, @TokenHash, @ExpiresAt FROM accounts WHERE id = @Account AND deleted_at IS NULL
        """;

    // The account's existing user handle, so that a passkey added on an authenticator that already holds one for
    // this account replaces it there rather than standing beside it.
    internal const string FindUsableSql = """
        SELECT l.id, l.account_id AS accountid, l.expires_at AS expiresat,
               (SELECT p.user_handle FROM passkeys p WHERE p.account_id = l.account_id ORDER BY p.created_at LIMIT 1) AS userhandle
          FROM passkey_enrollment_links l JOIN accounts a ON a.id = l.account_id
         WHERE l.token_hash = @TokenHash AND l.used_at IS NULL AND l.expires_at > now() AND a.deleted_at IS NULL
        """;

    // Used up and passkey added in one statement: of two pages finishing with one link, one adds, the other nothing.
    internal const string AddPasskeySql = """
        WITH link AS (
            UPDATE passkey_enrollment_links l SET used_at = now()
              FROM accounts a
             WHERE l.id = @Link AND a.id = l.account_id
               AND l.used_at IS NULL AND l.expires_at > now() AND a.deleted_at IS NULL
            RETURNING l.account_id),
        passkey AS (
            INSERT INTO passkeys (id, account_id, credential_id, public_key, signature_counter, user_handle)
            SELECT @Passkey, account_id, @CredentialId, @PublicKey, @Counter, @UserHandle FROM link
            RETURNING account_id)
        INSERT INTO revocation_audit (account_id, kind)
        SELECT account_id, 'passkey_added' FROM passkey
        """;

    public async Task<bool> CreateAsync(
        Guid id, AccountId account, byte[] tokenHash, DateTimeOffset expiresAt, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            CreateSql,
            new { Id = id, Account = account.Value, TokenHash = tokenHash, ExpiresAt = expiresAt },
            cancellationToken: cancellationToken)) == 1;
    }

    public async Task<EnrollmentLink?> FindUsableAsync(byte[] tokenHash, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<LinkRow>(new CommandDefinition(
            FindUsableSql, new { TokenHash = tokenHash }, cancellationToken: cancellationToken));
        return row is null ? null : new EnrollmentLink(row.Id, new AccountId(row.AccountId), new DateTimeOffset(row.ExpiresAt), row.UserHandle);
    }

    public async Task<bool> AddPasskeyAsync(Guid link, NewPasskey passkey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(passkey);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            return await connection.ExecuteAsync(new CommandDefinition(
                AddPasskeySql,
                new
                {
                    Link = link,
                    Passkey = Guid.CreateVersion7(),
                    passkey.CredentialId,
                    passkey.PublicKey,
                    Counter = (long)passkey.SignatureCounter,
                    passkey.UserHandle,
                },
                cancellationToken: cancellationToken)) == 1;
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return false;
        }
    }

    // Npgsql reads timestamptz as a UTC DateTime.
    private sealed record LinkRow(Guid Id, Guid AccountId, DateTime ExpiresAt, byte[]? UserHandle);
}
