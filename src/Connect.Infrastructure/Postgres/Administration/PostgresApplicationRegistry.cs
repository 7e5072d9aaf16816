namespace Connect.Infrastructure.Postgres.Administration;

internal sealed class PostgresApplicationRegistry(NpgsqlDataSource dataSource) : IApplicationRegistry
{
    internal const string CreateSectorSql = "INSERT INTO sectors (id, name) VALUES (@Id, @Name)";

    internal const string SectorExistsSql = "SELECT EXISTS (SELECT 1 FROM sectors WHERE id = @Sector)";

    // The application and its first key land together or not at all; a taken anchor inserts nothing.
    internal const string RegisterSql = """
        WITH app AS (
            INSERT INTO applications (id, anchor, sector_id) VALUES (@Id, @Anchor, @Sector)
            ON CONFLICT (anchor) DO NOTHING
            RETURNING id)
        INSERT INTO application_keys (application_id, key_id, public_key_spki)
        SELECT id, @KeyId, @Spki FROM app
        """;

    // Taken first, in its own statement, so that the count below is read after any concurrent addition to the same
    // application committed (each statement of a READ COMMITTED transaction sees what committed before it began).
    internal const string LockApplicationSql = "SELECT id FROM applications WHERE anchor = @Anchor FOR UPDATE";

    // A key already held, active or retired, is never inserted again (a retired key is never brought back); a new
    // one only while the application has fewer than @MaxActive active keys. Answers the KeyAddition by name.
    internal const string AddKeySql = """
        WITH held AS (
            SELECT retired_at FROM application_keys WHERE application_id = @Application AND key_id = @KeyId
        ), added AS (
            INSERT INTO application_keys (application_id, key_id, public_key_spki)
            SELECT @Application, @KeyId, @Spki
             WHERE NOT EXISTS (SELECT 1 FROM held)
               AND (SELECT count(*) FROM application_keys WHERE application_id = @Application AND retired_at IS NULL) < @MaxActive
            RETURNING 1
        )
        SELECT CASE
                   WHEN EXISTS (SELECT 1 FROM added) THEN 'Added'
                   WHEN EXISTS (SELECT 1 FROM held WHERE retired_at IS NULL) THEN 'AlreadyActive'
                   WHEN EXISTS (SELECT 1 FROM held) THEN 'Retired'
                   ELSE 'TooManyKeys'
               END
        """;

    internal const string RetireKeySql = """
        UPDATE application_keys k SET retired_at = now()
          FROM applications a
         WHERE a.id = k.application_id AND a.anchor = @Anchor AND k.key_id = @KeyId AND k.retired_at IS NULL
        """;

    internal const string SetEnabledSql = "UPDATE applications SET enabled = @Enabled WHERE anchor = @Anchor";

    internal const string FindSql = "SELECT id, sector_id AS sectorid FROM applications WHERE anchor = @Anchor";

    private const string SignInSettingsColumns =
        "anchor, display_name AS displayname, sign_up_open AS signupopen, callback_hosts AS callbackhosts, enabled";

    internal const string FindSignInSettingsSql = "SELECT " + SignInSettingsColumns + " FROM applications WHERE anchor = @Anchor";

    // One statement: a NULL leaves its setting as it is. The typed casts let a NULL parameter stand for any setting.
    internal const string UpdateSql = """
        UPDATE applications
           SET display_name = coalesce(CAST(@Name AS text), display_name),
               sign_up_open = coalesce(CAST(@SignUpOpen AS boolean), sign_up_open),
               callback_hosts = CASE WHEN @ReplaceCallbackHosts THEN CAST(@CallbackHosts AS text[]) ELSE callback_hosts END
         WHERE anchor = @Anchor
        RETURNING
        """ + " " + SignInSettingsColumns;

    public async Task<SectorId> CreateSectorAsync(string? name, CancellationToken cancellationToken)
    {
        var id = Guid.CreateVersion7();
        await ExecuteAsync(CreateSectorSql, new { Id = id, Name = name }, cancellationToken);
        return new SectorId(id);
    }

    public async Task<bool> SectorExistsAsync(SectorId sector, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            SectorExistsSql, new { Sector = sector.Value }, cancellationToken: cancellationToken));
    }

    public async Task<AppId?> RegisterAsync(
        ApplicationAnchor anchor, SectorId sector, ClientPublicKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        var id = Guid.CreateVersion7();
        var inserted = await ExecuteAsync(
            RegisterSql,
            new { Id = id, Anchor = anchor.Value, Sector = sector.Value, KeyId = key.Id.Value, Spki = key.SubjectPublicKeyInfo.ToArray() },
            cancellationToken);
        return inserted == 1 ? new AppId(id) : null;
    }

    public async Task<KeyAddition> AddKeyAsync(ApplicationAnchor anchor, ClientPublicKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var application = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            LockApplicationSql, new { Anchor = anchor.Value }, transaction, cancellationToken: cancellationToken));
        if (application is null)
        {
            return KeyAddition.UnknownAnchor;
        }

        var addition = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
            AddKeySql,
            new
            {
                Application = application.Value,
                KeyId = key.Id.Value,
                Spki = key.SubjectPublicKeyInfo.ToArray(),
                MaxActive = ClientPublicKey.MaxActivePerApplication,
            },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return Enum.Parse<KeyAddition>(addition!);
    }

    public async Task<bool> RetireKeyAsync(ApplicationAnchor anchor, KeyId key, CancellationToken cancellationToken) =>
        await ExecuteAsync(RetireKeySql, new { Anchor = anchor.Value, KeyId = key.Value }, cancellationToken) == 1;

    public async Task<bool> SetEnabledAsync(ApplicationAnchor anchor, bool enabled, CancellationToken cancellationToken) =>
        await ExecuteAsync(SetEnabledSql, new { Anchor = anchor.Value, Enabled = enabled }, cancellationToken) == 1;

    public async Task<(AppId Id, SectorId Sector)?> FindAsync(ApplicationAnchor anchor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ApplicationRow>(new CommandDefinition(
            FindSql, new { Anchor = anchor.Value }, cancellationToken: cancellationToken));
        return row is null ? null : (new AppId(row.Id), new SectorId(row.SectorId));
    }

    public async Task<ApplicationSignInSettings?> FindSignInSettingsAsync(ApplicationAnchor anchor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SignInSettingsRow>(new CommandDefinition(
            FindSignInSettingsSql, new { Anchor = anchor.Value }, cancellationToken: cancellationToken));
        return row?.ToSettings();
    }

    public async Task<ApplicationSignInSettings?> UpdateAsync(
        ApplicationAnchor anchor, ApplicationChanges changes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(changes);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<SignInSettingsRow>(new CommandDefinition(
            UpdateSql,
            new
            {
                Anchor = anchor.Value,
                Name = changes.DisplayName,
                changes.SignUpOpen,
                ReplaceCallbackHosts = changes.CallbackHosts is not null,
                CallbackHosts = changes.CallbackHosts?.ToArray() ?? [],
            },
            cancellationToken: cancellationToken));
        return row?.ToSettings();
    }

    private sealed record ApplicationRow(Guid Id, Guid SectorId);

    // Mapped by property: Dapper matches constructors by the column's declared type, System.Array for text[].
    private sealed class SignInSettingsRow
    {
        public string Anchor { get; set; } = "";

        public string? DisplayName { get; set; }

        public bool SignUpOpen { get; set; }

        public string[] CallbackHosts { get; set; } = [];

        public bool Enabled { get; set; }

        public ApplicationSignInSettings ToSettings() =>
            new(new ApplicationAnchor(Anchor), DisplayName, SignUpOpen, CallbackHosts, Enabled);
    }

    private async Task<int> ExecuteAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken));
    }
}
