using Connect.Domain.Accounts;
using Connect.Testing.Seeding;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Infrastructure.Tests.Postgres;

public sealed class PostgresSectorSubjectMapTests
{
    [Fact]
    public async Task Subject_maps_back_to_its_account_in_its_sector()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(app.Sector);
        var map = db.Services.GetRequiredService<ISectorSubjectMap>();

        var found = await map.FindAccountAsync(app.Sector, subject, CancellationToken.None);

        Assert.Equal(account, found);
    }

    [Fact]
    public async Task Subject_from_another_sector_maps_to_nothing()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var stranger = await db.RegisterApplicationAsync();
        var (_, foreignSubject) = await db.CreateAccountWithSubjectAsync(stranger.Sector);
        var map = db.Services.GetRequiredService<ISectorSubjectMap>();

        var found = await map.FindAccountAsync(app.Sector, foreignSubject, CancellationToken.None);

        Assert.Null(found);
    }

    [Fact]
    public async Task Unknown_subject_maps_to_nothing()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var map = db.Services.GetRequiredService<ISectorSubjectMap>();

        var found = await map.FindAccountAsync(app.Sector, new SectorSubject("never-issued"), CancellationToken.None);

        Assert.Null(found);
    }

    [Fact]
    public async Task Issuing_twice_returns_the_same_subject_and_sectors_get_unrelated_subjects()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var first = await db.RegisterApplicationAsync();
        var second = await db.RegisterApplicationAsync();
        var (account, subject) = await db.CreateAccountWithSubjectAsync(first.Sector);

        var again = await db.Accounts.IssueSubjectAsync(account, first.Sector, CancellationToken.None);
        var elsewhere = await db.Accounts.IssueSubjectAsync(account, second.Sector, CancellationToken.None);

        Assert.Equal(subject, again);
        Assert.NotEqual(subject, elsewhere);
        Assert.DoesNotContain(account.Value.ToString("N"), subject.Value, StringComparison.OrdinalIgnoreCase);
    }
}
