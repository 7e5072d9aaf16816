using System.Security.Cryptography;
using Connect.Application.Administration;
using Connect.Application.ClientAuthentication;
using Connect.Testing.Seeding;
using Microsoft.Extensions.DependencyInjection;

namespace Connect.Infrastructure.Tests.Postgres.Administration;

public sealed class PostgresApplicationKeyTests
{
    [Fact]
    public async Task Adding_a_retired_key_again_is_refused_and_the_key_stays_retired()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var leaked = ClientPublicKey.FromSubjectPublicKeyInfo(app.Key.ExportSubjectPublicKeyInfo());
        Assert.True(await db.Applications.RetireKeyAsync(app.Anchor, app.KeyId, CancellationToken.None));
        var revision = await db.CurrentRevisionAsync(app.Anchor);

        var addition = await db.Applications.AddKeyAsync(app.Anchor, leaked, CancellationToken.None);

        Assert.Equal(KeyAddition.Retired, addition);
        Assert.Equal(revision, await db.CurrentRevisionAsync(app.Anchor));
        Assert.False(await db.Applications.RetireKeyAsync(app.Anchor, app.KeyId, CancellationToken.None));
    }

    [Fact]
    public async Task Adding_an_active_key_again_changes_nothing()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var revision = await db.CurrentRevisionAsync(app.Anchor);

        var addition = await db.Applications.AddKeyAsync(
            app.Anchor, ClientPublicKey.FromSubjectPublicKeyInfo(app.Key.ExportSubjectPublicKeyInfo()), CancellationToken.None);

        Assert.Equal(KeyAddition.AlreadyActive, addition);
        Assert.Equal(revision, await db.CurrentRevisionAsync(app.Anchor));
    }

    [Fact]
    public async Task An_application_holds_at_most_four_active_keys_and_may_add_one_once_one_is_retired()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();
        var keys = Enumerable.Range(0, ClientPublicKey.MaxActivePerApplication).Select(_ => NewKey()).ToList();

        var additions = new List<KeyAddition>();
        foreach (var key in keys)
        {
            additions.Add(await db.Applications.AddKeyAsync(app.Anchor, key, CancellationToken.None));
        }

        Assert.Equal(
            [.. Enumerable.Repeat(KeyAddition.Added, ClientPublicKey.MaxActivePerApplication - 1), KeyAddition.TooManyKeys], additions);
        Assert.True(await db.Applications.RetireKeyAsync(app.Anchor, app.KeyId, CancellationToken.None));
        Assert.Equal(KeyAddition.Added, await db.Applications.AddKeyAsync(app.Anchor, keys[^1], CancellationToken.None));
    }

    [Fact]
    public async Task Concurrent_additions_never_exceed_the_cap()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();
        var app = await db.RegisterApplicationAsync();

        var additions = await Task.WhenAll(Enumerable.Range(0, 12)
            .Select(_ => Task.Run(() => db.Applications.AddKeyAsync(app.Anchor, NewKey(), CancellationToken.None))));

        Assert.Equal(ClientPublicKey.MaxActivePerApplication - 1, additions.Count(addition => addition == KeyAddition.Added));
        var current = await db.Services.GetRequiredService<IClientApplicationDirectory>().FindByAnchorAsync(app.Anchor, CancellationToken.None);
        Assert.Equal(ClientPublicKey.MaxActivePerApplication, current!.ActiveKeys.Count);
    }

    [Fact]
    public async Task Adding_a_key_to_an_unknown_anchor_adds_nothing()
    {
        await using var db = await ConnectTestDatabase.CreateAsync();

        var addition = await db.Applications.AddKeyAsync(new("nobody"), NewKey(), CancellationToken.None);

        Assert.Equal(KeyAddition.UnknownAnchor, addition);
    }

    private static ClientPublicKey NewKey()
    {
        using var rsa = RSA.Create(2048);
        return ClientPublicKey.FromSubjectPublicKeyInfo(rsa.ExportSubjectPublicKeyInfo());
    }
}
