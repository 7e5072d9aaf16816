namespace Connect.Infrastructure.Postgres;

internal sealed class PostgresSigningKeyStore(NpgsqlDataSource dataSource) : ISigningKeyStore
{
    internal const string RevisionByIdSql = "SELECT revision FROM applications WHERE id = @Application";

    internal const string RevisionByAnchorSql = "SELECT id, revision FROM applications WHERE anchor = @Anchor";

    private const string Columns = """
        a.id AS applicationid, a.anchor, a.revision, k.generation, k.key_id AS keyid, k.public_key_spki AS publickeyspki,
        k.private_key_nonce AS nonce, k.private_key_tag AS tag, k.private_key_ciphertext AS ciphertext,
        k.created_at AS createdat, k.current_from AS currentfrom, k.signs_until AS signsuntil, k.removed_at AS removedat,
        k.kek_id AS keyencryptionkeyid
        """;

    // The application's revision and its keys in one snapshot, so the revision kept with them is theirs.
    internal const string LoadByIdSql = $"""
        SELECT {Columns}
          FROM applications a
          LEFT JOIN signing_keys k ON k.application_id = a.id
         WHERE a.id = @Application
         ORDER BY k.generation
        """;

    internal const string LoadByAnchorSql = $"""
        SELECT {Columns}
          FROM applications a
          LEFT JOIN signing_keys k ON k.application_id = a.id
         WHERE a.anchor = @Anchor
         ORDER BY k.generation
        """;

    // The unique generation (and key id) make a concurrent first key or rotation insert nothing instead of a second.
    internal const string AddSql = """
        INSERT INTO signing_keys (application_id, generation, key_id, public_key_spki, private_key_nonce, private_key_tag,
                                  private_key_ciphertext, created_at, current_from, signs_until, kek_id)
        VALUES (@Application, @Generation, @KeyId, @PublicKeySpki, @Nonce, @Tag, @Ciphertext, @CreatedAt, @CurrentFrom, @SignsUntil,
                @KeyEncryptionKeyId)
        ON CONFLICT DO NOTHING
        """;

    // Only ever raised, and only when lower: concurrent signers write once between them.
    internal const string ExtendSignsUntilSql = """
        UPDATE signing_keys SET signs_until = @SignsUntil
         WHERE application_id = @Application AND key_id = @KeyId AND signs_until < @SignsUntil AND removed_at IS NULL
        """;

    // The seal is destroyed with the removal: removed_at is not part of what the seal authenticates, so a database
    // writer who cleared it again would otherwise have the (leaked) key back; now that row opens nothing and is no key.
    internal const string RemoveSql = """
        UPDATE signing_keys
           SET removed_at = @Now, private_key_nonce = decode(repeat('00', 12), 'hex'),
               private_key_tag = decode(repeat('00', 16), 'hex'), private_key_ciphertext = ''::bytea
         WHERE application_id = @Application AND key_id = @KeyId AND removed_at IS NULL
        """;

    internal const string PromoteSql = """
        UPDATE signing_keys SET current_from = @Now, signs_until = GREATEST(signs_until, @Now)
         WHERE application_id = @Application AND key_id = @KeyId AND removed_at IS NULL
        """;

    internal const string FindNewestSql = """
        SELECT a.id AS applicationid, a.anchor, a.revision, k.generation, k.key_id AS keyid, k.public_key_spki AS publickeyspki,
               k.private_key_nonce AS nonce, k.private_key_tag AS tag, k.private_key_ciphertext AS ciphertext,
               k.created_at AS createdat, k.current_from AS currentfrom, k.signs_until AS signsuntil, k.removed_at AS removedat,
               k.kek_id AS keyencryptionkeyid
          FROM signing_keys k
          JOIN applications a ON a.id = k.application_id
         WHERE k.removed_at IS NULL
         ORDER BY k.created_at DESC
         LIMIT 1
        """;

    internal const string FindOtherKeyEncryptionKeySql = """
        SELECT kek_id FROM signing_keys WHERE removed_at IS NULL AND kek_id IS NOT NULL AND kek_id <> @KeyEncryptionKeyId LIMIT 1
        """;

    internal const string ListLegacySql = $"""
        SELECT {Columns}
          FROM signing_keys k
          JOIN applications a ON a.id = k.application_id
         WHERE k.kek_id IS NULL AND k.removed_at IS NULL
         ORDER BY k.application_id, k.generation
        """;

    // Only the seal read is replaced: a concurrent start that sealed it first (or a removal) wins and this writes nothing.
    internal const string ResealSql = """
        UPDATE signing_keys SET private_key_nonce = @Nonce, private_key_tag = @Tag, private_key_ciphertext = @Ciphertext,
                                kek_id = @KeyEncryptionKeyId
         WHERE application_id = @Application AND key_id = @KeyId AND kek_id IS NULL AND removed_at IS NULL
           AND private_key_nonce = @OldNonce AND private_key_tag = @OldTag
        """;

    public async Task<string?> FindOtherKeyEncryptionKeyIdAsync(string keyEncryptionKeyId, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<string?>(new CommandDefinition(
            FindOtherKeyEncryptionKeySql, new { KeyEncryptionKeyId = keyEncryptionKeyId }, cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<StoredSigningKey>> ListSealedBeforeFingerprintsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<KeyRow>(new CommandDefinition(ListLegacySql, cancellationToken: cancellationToken));
        return [.. rows.Select(row => row.ToKey())];
    }

    public async Task<bool> ResealAsync(StoredSigningKey key, SealedPrivateKey resealed, string keyEncryptionKeyId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(resealed);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(ResealSql, new
        {
            Application = key.Application.Value,
            key.KeyId,
            resealed.Nonce,
            resealed.Tag,
            resealed.Ciphertext,
            KeyEncryptionKeyId = keyEncryptionKeyId,
            OldNonce = key.PrivateKey.Nonce,
            OldTag = key.PrivateKey.Tag,
        }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<long?> ReadRevisionAsync(AppId application, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(
            RevisionByIdSql, new { Application = application.Value }, cancellationToken: cancellationToken));
    }

    public async Task<(AppId Application, long Revision)?> ReadRevisionAsync(ApplicationAnchor anchor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<RevisionRow>(new CommandDefinition(
            RevisionByAnchorSql, new { Anchor = anchor.Value }, cancellationToken: cancellationToken));
        return row is null ? null : (new AppId(row.Id), row.Revision);
    }

    public Task<SigningKeySet?> LoadAsync(AppId application, CancellationToken cancellationToken) =>
        LoadAsync(LoadByIdSql, new { Application = application.Value }, cancellationToken);

    public Task<SigningKeySet?> LoadAsync(ApplicationAnchor anchor, CancellationToken cancellationToken) =>
        LoadAsync(LoadByAnchorSql, new { Anchor = anchor.Value }, cancellationToken);

    public async Task<bool> AddAsync(StoredSigningKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(AddSql, Parameters(key), cancellationToken: cancellationToken)) == 1;
    }

    public async Task ExtendSignsUntilAsync(AppId application, string keyId, DateTimeOffset signsUntil, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            ExtendSignsUntilSql, new { Application = application.Value, KeyId = keyId, SignsUntil = signsUntil }, cancellationToken: cancellationToken));
    }

    public async Task<bool> RemoveAsync(
        AppId application, string keyId, DateTimeOffset now, string? promote, StoredSigningKey? replacement,
        CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var removed = await connection.ExecuteAsync(new CommandDefinition(
            RemoveSql, new { Application = application.Value, KeyId = keyId, Now = now }, transaction, cancellationToken: cancellationToken));
        if (removed != 1)
        {
            return false;
        }

        // The application is never left without a current key, not even between two statements.
        if (promote is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(
                PromoteSql, new { Application = application.Value, KeyId = promote, Now = now }, transaction, cancellationToken: cancellationToken));
        }
        else if (replacement is not null)
        {
            await connection.ExecuteAsync(new CommandDefinition(AddSql, Parameters(replacement), transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    public async Task<StoredSigningKey?> FindNewestAsync(CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<KeyRow>(new CommandDefinition(FindNewestSql, cancellationToken: cancellationToken));
        return row?.ToKey();
    }

    private async Task<SigningKeySet?> LoadAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<KeyRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            return null;
        }

        var first = rows[0];
        return new SigningKeySet(
            new AppId(first.ApplicationId), new ApplicationAnchor(first.Anchor), first.Revision,
            [.. rows.Where(row => row.KeyId is not null).Select(row => row.ToKey())]);
    }

    private static object Parameters(StoredSigningKey key) => new
    {
        Application = key.Application.Value,
        key.Generation,
        key.KeyId,
        key.PublicKeySpki,
        key.PrivateKey.Nonce,
        key.PrivateKey.Tag,
        key.PrivateKey.Ciphertext,
        key.CreatedAt,
        key.CurrentFrom,
        key.SignsUntil,
        key.KeyEncryptionKeyId,
    };

    private sealed record RevisionRow(Guid Id, long Revision);

    private sealed record KeyRow(
        Guid ApplicationId, string Anchor, long Revision, int? Generation, string? KeyId, byte[]? PublicKeySpki,
        byte[]? Nonce, byte[]? Tag, byte[]? Ciphertext, DateTime? CreatedAt, DateTime? CurrentFrom, DateTime? SignsUntil, DateTime? RemovedAt,
        string? KeyEncryptionKeyId)
    {
        public StoredSigningKey ToKey() => new(
            new AppId(ApplicationId), Generation!.Value, KeyId!, PublicKeySpki!, new SealedPrivateKey(Nonce!, Tag!, Ciphertext!),
            Utc(CreatedAt!.Value), Utc(CurrentFrom!.Value), Utc(SignsUntil!.Value), RemovedAt is { } removed ? Utc(removed) : null,
            KeyEncryptionKeyId);

        private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
    }
}
