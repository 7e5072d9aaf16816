namespace Connect.Infrastructure.Postgres;

internal sealed class PostgresClientApplicationDirectory(NpgsqlDataSource dataSource) : IClientApplicationDirectory
{
    // One round trip for the application, its revision and its active keys, read in one snapshot; retired keys
    // never leave the database.
    internal const string FindByAnchorSql = """
        SELECT a.id, a.anchor, a.sector_id AS sectorid, a.revision, a.enabled, k.key_id AS keyid, k.public_key_spki AS publickeyspki
          FROM applications a
          LEFT JOIN application_keys k ON k.application_id = a.id AND k.retired_at IS NULL
         WHERE a.anchor = @Anchor
         ORDER BY k.created_at
        """;

    public async Task<ClientApplication?> FindByAnchorAsync(ApplicationAnchor anchor, CancellationToken cancellationToken)
    {
        // PostgreSQL text cannot hold NUL, so no anchor contains one; sending it would fail the statement (a 500
        // any unauthenticated caller could provoke with iss "\u0000").
        if (anchor.Value.Contains('\0', StringComparison.Ordinal))
        {
            return null;
        }

        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition(
            FindByAnchorSql, new { Anchor = anchor.Value }, cancellationToken: cancellationToken))).AsList();
        if (rows.Count == 0)
        {
            return null;
        }

        var first = rows[0];
        var keys = rows
            .Where(row => row.KeyId is not null)
            .Select(row => new ClientKey(new KeyId(row.KeyId!), row.PublicKeySpki!))
            .ToList();
        return new ClientApplication(
            new AppId(first.Id), new ApplicationAnchor(first.Anchor), new SectorId(first.SectorId), first.Revision, first.Enabled, keys);
    }

    private sealed record Row(Guid Id, string Anchor, Guid SectorId, long Revision, bool Enabled, string? KeyId, byte[]? PublicKeySpki);
}
