namespace Connect.Infrastructure.Postgres.Passkeys;

internal sealed class PostgresWebAuthnChallengeStore(NpgsqlDataSource dataSource) : IWebAuthnChallengeStore
{
    // Each new challenge sweeps a few expired ones away: the table cleans itself at the pace it grows, with no
    // background job, and no sweep is ever large.
    internal const string SaveSql = """
        WITH swept AS (
            DELETE FROM webauthn_challenges
             WHERE id IN (SELECT id FROM webauthn_challenges WHERE expires_at < now() ORDER BY expires_at LIMIT 16))
        INSERT INTO webauthn_challenges (id, purpose, inquiry_id, enrollment_link_id, options, expires_at)
        SELECT @Id, @Purpose, i.id, NULL, @Options, least(@ExpiresAt, i.expires_at)
          FROM inquiries i WHERE i.exposure_key = @ExposureKey AND @EnrollmentLink::uuid IS NULL
        UNION ALL
        SELECT @Id, @Purpose, NULL, l.id, @Options, least(@ExpiresAt, l.expires_at)
          FROM passkey_enrollment_links l WHERE l.id = @EnrollmentLink AND @ExposureKey::text IS NULL
        """;

    // Deleted whatever is checked next: a challenge is answered at most once, right or wrong.
    internal const string TakeSql = """
        DELETE FROM webauthn_challenges c WHERE c.id = @Id
        RETURNING c.purpose, c.enrollment_link_id AS enrollmentlinkid, c.options, c.expires_at > now() AS live,
                  (SELECT i.exposure_key FROM inquiries i WHERE i.id = c.inquiry_id) AS exposurekey
        """;

    internal const string DropForInquirySql = """
        DELETE FROM webauthn_challenges WHERE inquiry_id = (SELECT id FROM inquiries WHERE exposure_key = @ExposureKey)
        """;

    public async Task<bool> SaveAsync(WebAuthnChallenge challenge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        return 1 == await connection.ExecuteAsync(new CommandDefinition(
            SaveSql,
            new
            {
                challenge.Id,
                Purpose = Stored(challenge.Purpose),
                challenge.ExposureKey,
                challenge.EnrollmentLink,
                challenge.Options,
                challenge.ExpiresAt,
            },
            cancellationToken: cancellationToken));
    }

    public async Task<string?> TakeAsync(
        Guid id, CeremonyPurpose purpose, string? exposureKey, Guid? enrollmentLink, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ChallengeRow>(new CommandDefinition(
            TakeSql, new { Id = id }, cancellationToken: cancellationToken));
        if (row is null || !row.Live || row.Purpose != Stored(purpose) || row.EnrollmentLinkId != enrollmentLink)
        {
            return null;
        }

        // The exposure key is public (it travels in the URL): an ordinary comparison is enough.
        return string.Equals(row.ExposureKey, exposureKey, StringComparison.Ordinal) ? row.Options : null;
    }

    public async Task DropForInquiryAsync(string exposureKey, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            DropForInquirySql, new { ExposureKey = exposureKey }, cancellationToken: cancellationToken));
    }

    private static string Stored(CeremonyPurpose purpose) => purpose switch
    {
        CeremonyPurpose.SignIn => "sign_in",
        CeremonyPurpose.SignUp => "sign_up",
        CeremonyPurpose.Enroll => "enroll",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose)),
    };

    private sealed record ChallengeRow(
        string Purpose, Guid? EnrollmentLinkId, string Options, bool Live, string? ExposureKey);
}
