namespace Connect.Infrastructure.Postgres.Inquiries;

internal sealed class PostgresInquiryStore(NpgsqlDataSource dataSource) : IInquiryStore
{
    internal const string CreateSql = """
        INSERT INTO inquiries (id, application_id, exposure_key, hidden_key_hash, allowed_sector_subjects,
                               access_token_ttl_seconds, refresh_token_ttl_seconds, callback_url, created_at, expires_at)
        VALUES (@Id, @Application, @ExposureKey, @HiddenKeyHash, @AllowedSectorSubjects,
                @AccessTokenTtlSeconds, @RefreshTokenTtlSeconds, @CallbackUrl, @CreatedAt, @ExpiresAt)
        """;

    // The inquiry, its application and the realizing account (with its subject in the application's sector) in one
    // round trip: every check of the page, the poll and the redemption reads from it.
    internal const string FindSql = """
        SELECT i.id, i.exposure_key AS exposurekey, i.hidden_key_hash AS hiddenkeyhash,
               i.allowed_sector_subjects AS allowedsectorsubjects,
               i.access_token_ttl_seconds AS accesstokenttlseconds, i.refresh_token_ttl_seconds AS refreshtokenttlseconds,
               i.callback_url AS callbackurl, i.expires_at AS expiresat, i.polls, i.account_id AS accountid,
               i.confirmation_nonce AS confirmationnonce, i.confirmation_key_hash AS confirmationkeyhash,
               i.redeemed_at AS redeemedat,
               p.id AS applicationid, p.anchor, p.sector_id AS sectorid, p.enabled AS applicationenabled,
               p.display_name AS displayname, p.sign_up_open AS signupopen,
               acc.enabled AS accountenabled, acc.deleted_at IS NOT NULL AS accountdeleted, ss.subject
          FROM inquiries i
          LEFT JOIN applications p ON p.id = i.application_id
          LEFT JOIN accounts acc ON acc.id = i.account_id
          LEFT JOIN sector_subjects ss ON ss.sector_id = p.sector_id AND ss.account_id = i.account_id
         WHERE i.exposure_key = @ExposureKey
        """;

    internal const string FindAccountSql = """
        SELECT acc.enabled, acc.deleted_at IS NOT NULL AS deleted, ss.subject
          FROM accounts acc
          LEFT JOIN sector_subjects ss ON ss.sector_id = @Sector AND ss.account_id = acc.id
         WHERE acc.id = @Account
        """;

    // One statement: the conditional UPDATE is the gate (a concurrent realization blocks on the row, then finds it
    // realized and updates nothing), and the audit row is written only from what it returned.
    internal const string RealizeSql = """
        WITH realized AS (
            UPDATE inquiries i
               SET account_id = @Account, realized_at = @Now, realized_how = @How,
                   confirmation_nonce = @Nonce, confirmation_key_hash = @KeyHash
             WHERE i.id = @Inquiry
               AND i.application_id = @Application
               AND i.account_id IS NULL
               AND i.redeemed_at IS NULL
               AND i.expires_at > @Now
               AND EXISTS (SELECT 1 FROM applications p WHERE p.id = i.application_id AND p.enabled)
               AND EXISTS (SELECT 1 FROM accounts acc WHERE acc.id = @Account AND acc.enabled AND acc.deleted_at IS NULL)
            RETURNING i.application_id)
        INSERT INTO revocation_audit (application_id, account_id, kind, detail)
        SELECT application_id, @Account, 'inquiry_realized', @How FROM realized
        """;

    internal const string CountPollSql = "UPDATE inquiries SET polls = polls + 1 WHERE id = @Inquiry AND polls < @MaxPolls";

    // Exactly once on any number of instances: the conditional UPDATE is the gate (READ COMMITTED re-checks its WHERE
    // on the row a concurrent redemption committed, and finds it redeemed), and the session and its audit row are
    // inserted only from what the UPDATE returned, in the same statement: all three land or none.
    internal const string RedeemSql = """
        WITH redeemed AS (
            UPDATE inquiries i
               SET redeemed_at = @Now
             WHERE i.id = @Inquiry
               AND i.application_id = @Application
               AND i.account_id = @Account
               AND i.confirmation_key_hash = @KeyHash
               AND i.redeemed_at IS NULL
               AND i.expires_at > @Now
               AND EXISTS (SELECT 1 FROM applications p WHERE p.id = i.application_id AND p.enabled)
               AND EXISTS (SELECT 1 FROM accounts acc WHERE acc.id = i.account_id AND acc.enabled AND acc.deleted_at IS NULL)
            RETURNING i.account_id, i.application_id),
        session AS (
            INSERT INTO sessions (account_id, application_id, sid, current_jti, rotated_at, current_key_id, issued_at, expires_at,
                                  access_token_ttl_seconds)
            SELECT account_id, application_id, @Sid, @Jti, @IssuedAt, @KeyId, @IssuedAt, @ExpiresAt, @AccessTokenTtlSeconds
              FROM redeemed
            RETURNING id, account_id, application_id)
        INSERT INTO revocation_audit (application_id, account_id, kind, session_id)
        SELECT application_id, account_id, 'inquiry_redeemed', id FROM session
        """;

    public async Task CreateAsync(NewInquiry inquiry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inquiry);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            CreateSql,
            new
            {
                inquiry.Id,
                Application = inquiry.Application.Value,
                inquiry.ExposureKey,
                inquiry.HiddenKeyHash,
                AllowedSectorSubjects = inquiry.AllowedSectorSubjects?.ToArray(),
                inquiry.AccessTokenTtlSeconds,
                inquiry.RefreshTokenTtlSeconds,
                inquiry.CallbackUrl,
                inquiry.CreatedAt,
                inquiry.ExpiresAt,
            },
            cancellationToken: cancellationToken));
    }

    public async Task<StoredInquiry?> FindAsync(string exposureKey, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(exposureKey) || exposureKey.Length > InquiryKeys.MaxLength)
        {
            return null;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<InquiryRow>(new CommandDefinition(
            FindSql, new { ExposureKey = exposureKey }, cancellationToken: cancellationToken));
        return row?.ToInquiry();
    }

    public async Task<AccountStanding> FindAccountAsync(AccountId account, SectorId sector, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<AccountRow>(new CommandDefinition(
            FindAccountSql, new { Account = account.Value, Sector = sector.Value }, cancellationToken: cancellationToken));
        return row is null
            ? AccountStanding.Missing
            : new AccountStanding(true, row.Enabled, row.Deleted, row.Subject is null ? null : new SectorSubject(row.Subject));
    }

    public async Task<bool> TryRealizeAsync(InquiryRealization realization, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(realization);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var written = await connection.ExecuteAsync(new CommandDefinition(
            RealizeSql,
            new
            {
                realization.Inquiry,
                Application = realization.Application.Value,
                Account = realization.Account.Value,
                How = StoredMethod(realization.How),
                Nonce = realization.ConfirmationNonce,
                KeyHash = realization.ConfirmationKeyHash,
                realization.Now,
            },
            cancellationToken: cancellationToken));
        return written == 1;
    }

    public async Task<bool> TryCountPollAsync(Guid inquiry, int maxPolls, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            CountPollSql, new { Inquiry = inquiry, MaxPolls = maxPolls }, cancellationToken: cancellationToken)) == 1;
    }

    public async Task<bool> TryRedeemAsync(InquiryRedemption redemption, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(redemption);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var written = await connection.ExecuteAsync(new CommandDefinition(
            RedeemSql,
            new
            {
                redemption.Inquiry,
                Application = redemption.Application.Value,
                Account = redemption.Account.Value,
                KeyHash = redemption.ConfirmationKeyHash,
                Sid = redemption.SessionId,
                Jti = redemption.FirstJti,
                redemption.KeyId,
                redemption.IssuedAt,
                redemption.ExpiresAt,
                redemption.AccessTokenTtlSeconds,
                redemption.Now,
            },
            cancellationToken: cancellationToken));
        return written == 1;
    }

    private static string StoredMethod(RealizationMethod how) => how switch
    {
        RealizationMethod.Passkey => "passkey",
        RealizationMethod.Enrollment => "enrollment",
        RealizationMethod.Operator => "operator",
        _ => throw new ArgumentOutOfRangeException(nameof(how), how, null),
    };

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    private sealed class AccountRow
    {
        public bool Enabled { get; set; }

        public bool Deleted { get; set; }

        public string? Subject { get; set; }
    }

    // Mapped by property name; the application and account columns are null when those rows are gone or absent.
    private sealed class InquiryRow
    {
        public Guid Id { get; set; }

        public string ExposureKey { get; set; } = "";

        public byte[] HiddenKeyHash { get; set; } = [];

        public string[]? AllowedSectorSubjects { get; set; }

        public int? AccessTokenTtlSeconds { get; set; }

        public int? RefreshTokenTtlSeconds { get; set; }

        public string? CallbackUrl { get; set; }

        public DateTime ExpiresAt { get; set; }

        public int Polls { get; set; }

        public Guid? AccountId { get; set; }

        public byte[]? ConfirmationNonce { get; set; }

        public byte[]? ConfirmationKeyHash { get; set; }

        public DateTime? RedeemedAt { get; set; }

        public Guid? ApplicationId { get; set; }

        public string? Anchor { get; set; }

        public Guid? SectorId { get; set; }

        public bool? ApplicationEnabled { get; set; }

        public string? DisplayName { get; set; }

        public bool? SignUpOpen { get; set; }

        public bool? AccountEnabled { get; set; }

        public bool? AccountDeleted { get; set; }

        public string? Subject { get; set; }

        public StoredInquiry ToInquiry() => new(
            Id,
            ExposureKey,
            HiddenKeyHash,
            ApplicationId is { } application
                ? new InquiryApplication(
                    new AppId(application), new ApplicationAnchor(Anchor!), new SectorId(SectorId!.Value),
                    ApplicationEnabled == true, DisplayName, SignUpOpen == true)
                : null,
            AllowedSectorSubjects,
            AccessTokenTtlSeconds,
            RefreshTokenTtlSeconds,
            CallbackUrl,
            Utc(ExpiresAt),
            Polls,
            AccountId is { } account
                ? new InquiryRealizedBy(
                    new AccountId(account),
                    new AccountStanding(
                        AccountEnabled is not null, AccountEnabled == true, AccountDeleted == true,
                        Subject is null ? null : new SectorSubject(Subject)),
                    ConfirmationNonce!,
                    ConfirmationKeyHash!)
                : null,
            RedeemedAt is { } redeemed ? Utc(redeemed) : null);
    }
}
