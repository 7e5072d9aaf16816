namespace Connect.Infrastructure.Postgres;

internal sealed class PostgresSectorSubjectMap(NpgsqlDataSource dataSource) : ISectorSubjectMap
{
    // The primary key (sector_id, subject) answers this: a lookup can never leave the caller's sector.
    internal const string FindAccountSql = """
        SELECT account_id FROM sector_subjects WHERE sector_id = @Sector AND subject = @Subject
        """;

    public async Task<AccountId?> FindAccountAsync(SectorId sector, SectorSubject subject, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        var account = await connection.QuerySingleOrDefaultAsync<Guid?>(new CommandDefinition(
            FindAccountSql,
            new { Sector = sector.Value, Subject = subject.Value },
            cancellationToken: cancellationToken));
        return account is { } id ? new AccountId(id) : null;
    }
}
