using System.Security.Cryptography;
using Connect.Application.Administration;
using Connect.Application.ClientAuthentication;
using Connect.Domain.Applications;
using Connect.Testing.Seeding;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Infrastructure.Tests.Postgres;

public sealed class PostgresClientApplicationDirectoryTests
{
    [Fact]
    public async Task Finds_the_application_with_its_sector_status_and_active_keys()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var directory = db.Services.GetRequiredService<IClientApplicationDirectory>();

        var found = await directory.FindByAnchorAsync(app.Anchor, CancellationToken.None);

        Assert.NotNull(found);
        Assert.Equal((app.Id, app.Sector, true), (found.Id, found.Sector, found.Enabled));
        var key = Assert.Single(found.ActiveKeys);
        Assert.Equal(app.KeyId, key.Id);
        Assert.Equal(app.Key.ExportSubjectPublicKeyInfo(), key.SubjectPublicKeyInfo.ToArray());
    }

    [Fact]
    public async Task Anchor_is_matched_exactly()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        await db.RegisterApplicationAsync("Exact-Anchor");
        var directory = db.Services.GetRequiredService<IClientApplicationDirectory>();

        Assert.Null(await directory.FindByAnchorAsync(new("exact-anchor"), CancellationToken.None));
        Assert.Null(await directory.FindByAnchorAsync(new("Exact-Anchor "), CancellationToken.None));
        Assert.NotNull(await directory.FindByAnchorAsync(new("Exact-Anchor"), CancellationToken.None));
    }

    [Theory]
    [InlineData("\u0000")]
    [InlineData("Exact-Anchor\u0000")]
    public async Task Anchor_holding_NUL_names_no_application_instead_of_failing_the_query(string anchor)
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        await db.RegisterApplicationAsync("Exact-Anchor");
        var directory = db.Services.GetRequiredService<IClientApplicationDirectory>();

        var found = await directory.FindByAnchorAsync(new(anchor), CancellationToken.None);

        Assert.Null(found);
    }

    [Fact]
    public async Task Retired_keys_are_not_returned_and_disabled_status_is()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        using var next = RSA.Create(2048);
        var nextKey = ClientPublicKey.FromSubjectPublicKeyInfo(next.ExportSubjectPublicKeyInfo());
        await db.Applications.AddKeyAsync(app.Anchor, nextKey, CancellationToken.None);
        await db.Applications.RetireKeyAsync(app.Anchor, app.KeyId, CancellationToken.None);
        await db.Applications.SetEnabledAsync(app.Anchor, false, CancellationToken.None);
        var directory = db.Services.GetRequiredService<IClientApplicationDirectory>();

        var found = await directory.FindByAnchorAsync(app.Anchor, CancellationToken.None);

        Assert.NotNull(found);
        Assert.False(found.Enabled);
        Assert.Equal([nextKey.Id], found.ActiveKeys.Select(key => key.Id));
    }

    [Fact]
    public async Task Unknown_anchor_is_null_and_a_taken_anchor_cannot_be_registered_again()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var directory = db.Services.GetRequiredService<IClientApplicationDirectory>();
        using var rsa = RSA.Create(2048);

        var again = await db.Applications.RegisterAsync(
            app.Anchor, app.Sector, ClientPublicKey.FromSubjectPublicKeyInfo(rsa.ExportSubjectPublicKeyInfo()), CancellationToken.None);

        Assert.Null(again);
        Assert.Null(await directory.FindByAnchorAsync(new ApplicationAnchor("nobody"), CancellationToken.None));
    }
}
