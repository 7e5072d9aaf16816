using System.Security.Cryptography;
using Connect.Application.Passkeys;
using Dapper;
using Npgsql;

namespace Connect.Infrastructure.Postgres.Passkeys;

internal sealed class PostgresWebAuthnChallengeStore(NpgsqlDataSource dataSource) : IWebAuthnChallengeStore
{
    // Each new challenge sweeps a few expired ones away: the table cleans itself at the pace it grows, with no
    // background job, and no sweep is ever large.
    internal const string SaveSql = """
        WITH swept AS (
            DELETE FROM webauthn_challenges
             WHERE id IN (SELECT id FROM webauthn_challenges WHERE expires_at < now() ORDER BY expires_at LIMIT 16))
        INSERT INTO webauthn_challenges (id, purpose, exposure_key_hash, enrollment_link_id, options, expires_at)
        VALUES (@Id, @Purpose, @ExposureKeyHash, @EnrollmentLink, @Options, @ExpiresAt)
        """;

    // Deleted whatever is checked next: a challenge is answered at most once, right or wrong.
    internal const string TakeSql = """
        DELETE FROM webauthn_challenges WHERE id = @Id
        RETURNING purpose, exposure_key_hash AS exposurekeyhash, enrollment_link_id AS enrollmentlinkid, options,
                  expires_at > now() AS live
        """;

    internal const string DropForInquirySql = "DELETE FROM webauthn_challenges WHERE exposure_key_hash = @Hash";

    public async Task SaveAsync(WebAuthnChallenge challenge, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(challenge);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            SaveSql,
            new
            {
                challenge.Id,
                Purpose = Stored(challenge.Purpose),
                challenge.ExposureKeyHash,
                challenge.EnrollmentLink,
                challenge.Options,
                challenge.ExpiresAt,
            },
            cancellationToken: cancellationToken));
    }

    public async Task<string?> TakeAsync(
        Guid id, CeremonyPurpose purpose, byte[]? exposureKeyHash, Guid? enrollmentLink, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ChallengeRow>(new CommandDefinition(
            TakeSql, new { Id = id }, cancellationToken: cancellationToken));
        if (row is null || !row.Live || row.Purpose != Stored(purpose) || row.EnrollmentLinkId != enrollmentLink)
        {
            return null;
        }

        var boundToThisInquiry = (row.ExposureKeyHash, exposureKeyHash) switch
        {
            (null, null) => true,
            ({ } stored, { } given) => CryptographicOperations.FixedTimeEquals(stored, given),
            _ => false,
        };
        return boundToThisInquiry ? row.Options : null;
    }

    public async Task DropForInquiryAsync(byte[] exposureKeyHash, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            DropForInquirySql, new { Hash = exposureKeyHash }, cancellationToken: cancellationToken));
    }

    private static string Stored(CeremonyPurpose purpose) => purpose switch
    {
        CeremonyPurpose.SignIn => "sign_in",
        CeremonyPurpose.SignUp => "sign_up",
        CeremonyPurpose.Enroll => "enroll",
        _ => throw new ArgumentOutOfRangeException(nameof(purpose)),
    };

    private sealed record ChallengeRow(
        string Purpose, byte[]? ExposureKeyHash, Guid? EnrollmentLinkId, string Options, bool Live);
}
