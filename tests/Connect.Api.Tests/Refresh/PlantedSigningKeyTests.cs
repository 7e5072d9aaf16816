using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Connect.Application.SigningKeys;
using Connect.Testing.Seeding;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Connect.Api.Tests.Refresh;

/// <summary>
/// Someone who can write to the database but does not hold the key-encryption key plants a key row of their own
/// (their public key, its thumbprint as key id, a sealed private key copied from a genuine row) and signs tokens
/// with it. Every key row is authenticated under the KEK when it is loaded, so such a row is no key at all.
/// </summary>
public sealed class PlantedSigningKeyTests(RefreshTarget target) : IClassFixture<RefreshTarget>
{
    [Fact]
    public async Task Key_row_planted_by_a_database_writer_verifies_nothing_and_is_not_published()
    {
        var app = await target.Db.RegisterApplicationAsync();
        var issued = await target.IssueAsync(app: app);
        var (access, refresh) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(issued.RefreshToken));
        using var attacker = RSA.Create(2048);
        var kid = SigningKeyFactory.Thumbprint(attacker.ExportParameters(includePrivateParameters: false));

        await PlantAsync(app, attacker, kid);
        var forgedRefresh = Resign(refresh, attacker, kid);
        var forgedAccess = Resign(access, attacker, kid);

        await RefreshAssert.ReasonAsync(await target.RefreshAsync(forgedRefresh), HttpStatusCode.Unauthorized, "RefreshTokenInvalidSignature");
        Assert.Equal(HttpStatusCode.Unauthorized, (await UserinfoAsync(forgedAccess)).StatusCode);
        Assert.DoesNotContain(kid, await JwksAsync(app));
        Assert.Equal(HttpStatusCode.OK, (await UserinfoAsync(access)).StatusCode);
        await RefreshAssert.RefreshedAsync(await target.RefreshAsync(refresh));
    }

    [Fact]
    public async Task Genuine_key_whose_public_key_a_database_writer_swapped_verifies_nothing()
    {
        var app = await target.Db.RegisterApplicationAsync();
        var issued = await target.IssueAsync(app: app);
        var (access, _) = await RefreshAssert.RefreshedAsync(await target.RefreshAsync(issued.RefreshToken));
        using var attacker = RSA.Create(2048);
        var kid = KeyIdOf(access);

        await ExecuteAsync(
            "UPDATE signing_keys SET public_key_spki = @Spki WHERE application_id = @App AND key_id = @Kid",
            new { Spki = attacker.ExportSubjectPublicKeyInfo(), App = app.Id.Value, Kid = kid });

        Assert.Equal(HttpStatusCode.Unauthorized, (await UserinfoAsync(Resign(access, attacker, kid))).StatusCode);
        Assert.DoesNotContain(kid, await JwksAsync(app));
    }

    private Task PlantAsync(TestApplication app, RSA attacker, string kid) => ExecuteAsync(
        """
        INSERT INTO signing_keys (application_id, generation, key_id, public_key_spki, private_key_nonce, private_key_tag,
                                  private_key_ciphertext, created_at, current_from, signs_until)
        SELECT application_id, generation + 1, @Kid, @Spki, private_key_nonce, private_key_tag, private_key_ciphertext,
               created_at, created_at, signs_until + interval '365 days'
          FROM signing_keys WHERE application_id = @App ORDER BY generation DESC LIMIT 1
        """,
        new { App = app.Id.Value, Kid = kid, Spki = attacker.ExportSubjectPublicKeyInfo() });

    private static string Resign(string token, RSA key, string kid)
    {
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[0]));
        var typ = header.RootElement.GetProperty("typ").GetString();
        var payload = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token.Split('.')[1]));
        return RefreshTarget.SignRaw($$"""{"alg":"RS256","kid":"{{kid}}","typ":"{{typ}}"}""", payload, key);
    }

    private static string KeyIdOf(string token)
    {
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(token.Split('.')[0]));
        return header.RootElement.GetProperty("kid").GetString()!;
    }

    private Task<HttpResponseMessage> UserinfoAsync(string access)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/userinfo");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return target.Client.SendAsync(request);
    }

    private async Task<List<string>> JwksAsync(TestApplication app)
    {
        var jwks = await target.Client.GetStringAsync(new Uri($"/applications/{Uri.EscapeDataString(app.Anchor.Value)}/jwks.json", UriKind.Relative));
        using var json = JsonDocument.Parse(jwks);
        return [.. json.RootElement.GetProperty("keys").EnumerateArray().Select(key => key.GetProperty("kid").GetString()!)];
    }

    private async Task ExecuteAsync(string sql, object parameters)
    {
        await using var connection = await target.Db.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        await connection.ExecuteAsync(sql, parameters);
    }
}
