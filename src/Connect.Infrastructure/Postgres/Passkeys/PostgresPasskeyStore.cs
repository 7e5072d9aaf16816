namespace Connect.Infrastructure.Postgres.Passkeys;

internal sealed class PostgresPasskeyStore(NpgsqlDataSource dataSource) : IPasskeyStore
{
    // One statement: a sign-up leaves an account with its passkey and its audit event, or nothing at all.
    internal const string CreateAccountWithPasskeySql = """
        WITH account AS (
            INSERT INTO accounts (id) VALUES (@Account) RETURNING id),
        passkey AS (
            INSERT INTO passkeys (id, account_id, credential_id, public_key, signature_counter, user_handle)
            SELECT @Passkey, id, @CredentialId, @PublicKey, @Counter, @UserHandle FROM account
            RETURNING account_id)
        INSERT INTO revocation_audit (account_id, kind)
        SELECT account_id, 'passkey_added' FROM passkey
        """;

    internal const string FindSql = """
        SELECT p.id, p.account_id AS accountid, p.credential_id AS credentialid, p.public_key AS publickey,
               p.signature_counter AS signaturecounter, p.user_handle AS userhandle
          FROM passkeys p JOIN accounts a ON a.id = p.account_id
         WHERE p.credential_id = @CredentialId AND a.deleted_at IS NULL
        """;

    // The counter only moves forward (W3C WebAuthn §7.2 step 21), checked and moved in one statement so that two
    // concurrent assertions carrying the same counter cannot both pass; 0 stays allowed for authenticators that
    // keep no counter at all.
    internal const string RecordUseSql = """
        UPDATE passkeys SET signature_counter = @Counter, last_used_at = now()
         WHERE id = @Id AND (@Counter > signature_counter OR (@Counter = 0 AND signature_counter = 0))
        """;

    internal const string RecordCounterRegressionSql = """
        INSERT INTO revocation_audit (account_id, kind) VALUES (@Account, 'passkey_counter_regressed')
        """;

    // No row: no such (live) account; one row with a null id: an account without passkeys.
    internal const string ListSql = """
        SELECT p.id, p.created_at AS createdat, p.last_used_at AS lastusedat
          FROM accounts a LEFT JOIN passkeys p ON p.account_id = a.id
         WHERE a.id = @Account AND a.deleted_at IS NULL
         ORDER BY p.created_at, p.id
        """;

    public async Task<AccountId?> CreateAccountWithPasskeyAsync(NewPasskey passkey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(passkey);
        var account = Guid.CreateVersion7();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(
                CreateAccountWithPasskeySql,
                new
                {
                    Account = account,
                    Passkey = Guid.CreateVersion7(),
                    passkey.CredentialId,
                    passkey.PublicKey,
                    Counter = (long)passkey.SignatureCounter,
                    passkey.UserHandle,
                },
                cancellationToken: cancellationToken));
            return new AccountId(account);
        }
        catch (PostgresException exception) when (exception.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return null;
        }
    }

    public async Task<StoredPasskey?> FindAsync(byte[] credentialId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<PasskeyRow>(new CommandDefinition(
            FindSql, new { CredentialId = credentialId }, cancellationToken: cancellationToken));
        return row is null
            ? null
            : new StoredPasskey(
                row.Id, new AccountId(row.AccountId), row.CredentialId, row.PublicKey, (uint)row.SignatureCounter, row.UserHandle);
    }

    public async Task<bool> RecordUseAsync(Guid passkey, uint counter, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            RecordUseSql, new { Id = passkey, Counter = (long)counter }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task RecordCounterRegressionAsync(StoredPasskey passkey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(passkey);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            RecordCounterRegressionSql, new { Account = passkey.Account.Value }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<PasskeySummary>?> ListAsync(AccountId account, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<SummaryRow>(new CommandDefinition(
            ListSql, new { Account = account.Value }, cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            return null;
        }

        return [.. rows.Where(row => row.Id is not null)
            .Select(row => new PasskeySummary(row.Id!.Value, new DateTimeOffset(row.CreatedAt!.Value), row.LastUsedAt is { } used ? new DateTimeOffset(used) : null))];
    }

    private sealed record PasskeyRow(
        Guid Id, Guid AccountId, byte[] CredentialId, byte[] PublicKey, long SignatureCounter, byte[] UserHandle);

    // Npgsql reads timestamptz as a UTC DateTime.
    private sealed record SummaryRow(Guid? Id, DateTime? CreatedAt, DateTime? LastUsedAt);
}
