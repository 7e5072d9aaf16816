using Connect.Domain.Accounts;
using Connect.Domain.Applications;
using Connect.Testing.Seeding;

namespace Connect.Infrastructure.Tests.Postgres.Administration;

public sealed class PostgresRegistryExistenceTests
{
    [Fact]
    public async Task Sector_exists_only_once_created()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var sector = await db.Applications.CreateSectorAsync("named", CancellationToken.None);

        var created = await db.Applications.SectorExistsAsync(sector, CancellationToken.None);
        var other = await db.Applications.SectorExistsAsync(new SectorId(Guid.NewGuid()), CancellationToken.None);

        Assert.True(created);
        Assert.False(other);
    }

    [Fact]
    public async Task Account_exists_only_once_created()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var account = await db.Accounts.CreateAccountAsync(CancellationToken.None);

        var created = await db.Accounts.AccountExistsAsync(account, CancellationToken.None);
        var other = await db.Accounts.AccountExistsAsync(new AccountId(Guid.NewGuid()), CancellationToken.None);

        Assert.True(created);
        Assert.False(other);
    }
}
