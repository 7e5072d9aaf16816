namespace Connect.Infrastructure.Postgres.Inquiries;

internal sealed class PostgresSignInApplicationDirectory(NpgsqlDataSource dataSource) : ISignInApplicationDirectory
{
    internal const string FindSql = """
        SELECT id, anchor, sector_id AS sectorid, enabled, display_name AS displayname, sign_up_open AS signupopen,
               callback_hosts AS callbackhosts
          FROM applications
         WHERE anchor = @Anchor
        """;

    public async Task<SignInApplication?> FindAsync(ApplicationAnchor anchor, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            FindSql, new { Anchor = anchor.Value }, cancellationToken: cancellationToken));
        return row is null
            ? null
            : new SignInApplication(
                new AppId(row.Id), new ApplicationAnchor(row.Anchor), new SectorId(row.SectorId), row.Enabled, row.DisplayName,
                row.SignUpOpen, row.CallbackHosts);
    }

    private sealed class Row
    {
        public Guid Id { get; set; }

        public string Anchor { get; set; } = "";

        public Guid SectorId { get; set; }

        public bool Enabled { get; set; }

        public string? DisplayName { get; set; }

        public bool SignUpOpen { get; set; }

        public string[] CallbackHosts { get; set; } = [];
    }
}
