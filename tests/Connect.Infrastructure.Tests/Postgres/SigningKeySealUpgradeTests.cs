using System.Security.Cryptography;
using System.Text;
using Connect.Application;
using Connect.Application.SigningKeys;
using Connect.Domain.Applications;
using Connect.Infrastructure.Migrations;
using Connect.Testing.Postgres;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Infrastructure.Tests.Postgres;

/// <summary>
/// Keys sealed before migration 0014 bound only their application and key id. After the upgrade the start check
/// seals each again over its whole row, once it has checked that the row's public key is its private key's: the
/// keys keep signing, and a public key swapped in before the upgrade is not laundered into an authentic key.
/// </summary>
public sealed class SigningKeySealUpgradeTests
{
    private readonly string _kek = SigningKeyEncryption.NewKeyEncryptionKey();

    [Fact]
    public async Task Key_sealed_before_the_upgrade_keeps_signing_and_a_public_key_swapped_before_it_is_not_laundered()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync();
        DatabaseMigrator.Migrate(connectionString, through: "0010");
        await using var db = ConnectTestDatabase.For(connectionString);
        var genuine = await db.RegisterApplicationAsync();
        var swapped = await db.RegisterApplicationAsync();
        using var genuineKey = RSA.Create(2048);
        using var swappedKey = RSA.Create(2048);
        using var attacker = RSA.Create(2048);
        var genuineKid = await InsertSealedTheOldWayAsync(connectionString, genuine.Id, genuineKey, genuineKey.ExportSubjectPublicKeyInfo());
        var swappedKid = await InsertSealedTheOldWayAsync(connectionString, swapped.Id, swappedKey, attacker.ExportSubjectPublicKeyInfo());

        DatabaseMigrator.Migrate(connectionString);
        await using var instance = Instance(connectionString);
        var problem = await instance.GetRequiredService<SigningKeyStartCheck>().FindProblemAsync(CancellationToken.None);
        var ring = instance.GetRequiredService<SigningKeyRing>();
        var signing = await ring.FindSigningKeyAsync(genuine.Id, genuineKid, CancellationToken.None);
        var laundered = await ring.FindPublishedKeyAsync(swapped.Id, swappedKid, CancellationToken.None);

        Assert.Null(problem);
        Assert.Equal(genuineKey.ExportSubjectPublicKeyInfo(), signing?.PrivateKey.ExportSubjectPublicKeyInfo());
        Assert.Null(laundered);
        await using var connection = new NpgsqlConnection(connectionString);
        var fingerprints = (await connection.QueryAsync<(string, string?)>("SELECT key_id, kek_id FROM signing_keys")).ToDictionary(row => row.Item1, row => row.Item2);
        Assert.Equal(SigningKeyEncryption.IdOf(_kek), fingerprints[genuineKid]);
        Assert.Null(fingerprints[swappedKid]);
    }

    /// <summary>A key row exactly as the code before 0014 wrote it (associated data v1: application and key id only).</summary>
    private async Task<string> InsertSealedTheOldWayAsync(string connectionString, AppId application, RSA key, byte[] publicKeyInRow)
    {
        var kid = SigningKeyFactory.Thumbprint(key.ExportParameters(includePrivateParameters: false));
        var pkcs8 = key.ExportPkcs8PrivateKey();
        var nonce = RandomNumberGenerator.GetBytes(12);
        var tag = new byte[16];
        var ciphertext = new byte[pkcs8.Length];
        using (var aes = new AesGcm(Convert.FromBase64String(_kek), 16))
        {
            aes.Encrypt(nonce, pkcs8, ciphertext, tag, Encoding.UTF8.GetBytes($"connect-signing-key/v1\n{application.Value:D}\n{kid}"));
        }

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.ExecuteAsync(
            """
            INSERT INTO signing_keys (application_id, generation, key_id, public_key_spki, private_key_nonce, private_key_tag,
                                      private_key_ciphertext, created_at, current_from, signs_until)
            VALUES (@Application, 1, @Kid, @Spki, @Nonce, @Tag, @Ciphertext, now() - interval '1 day', now() - interval '1 day', now() + interval '30 days')
            """,
            new { Application = application.Value, Kid = kid, Spki = publicKeyInRow, Nonce = nonce, Tag = tag, Ciphertext = ciphertext });
        return kid;
    }

    private ServiceProvider Instance(string connectionString)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:Connect"] = connectionString,
                ["Connect:SigningKeys:KeyEncryptionKey"] = _kek,
            })
            .Build();
        return new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddConnectApplication()
            .AddConnectInfrastructure()
            .BuildServiceProvider();
    }
}
