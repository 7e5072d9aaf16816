// A receiver of Connect's signals (docs/signals.md): Back-Channel Logout tokens at /backchannel-logout and CAEP
// session-revoked events at /caep, each verified against the application's published keys before it is acted on.
// Every accepted signal is printed as one JSON line; a real application would end its own sessions there instead.
//
//   dotnet run --project samples/SignalReceiver -- --connect http://127.0.0.1:5080 --anchor shop.example --port 5090
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

var builder = WebApplication.CreateSlimBuilder(args);
var connect = builder.Configuration["connect"] ?? "http://127.0.0.1:5080";
var anchor = builder.Configuration["anchor"] ?? throw new ArgumentException("--anchor is required");
var audience = builder.Configuration["audience"] ?? anchor; // Connect's default audience is the anchor
var issuer = builder.Configuration["issuer"] ?? connect;    // Connect's issuer: its public URL
builder.WebHost.UseUrls($"http://127.0.0.1:{builder.Configuration["port"] ?? "5090"}");
builder.Logging.ClearProviders();

var app = builder.Build();
using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
var keys = new PublishedKeys(http, new Uri($"{connect}/applications/{Uri.EscapeDataString(anchor)}/jwks.json"));
var seen = new ConcurrentDictionary<string, byte>(); // jti replay check; a real receiver bounds it by exp

app.MapPost("/backchannel-logout", async (HttpRequest request) =>
{
    var form = await request.ReadFormAsync();
    var result = await keys.ValidateAsync(form["logout_token"].ToString(), Parameters("logout+jwt", requireExp: true));
    if (!result.IsValid || result.SecurityToken is not JsonWebToken token
        || !token.TryGetPayloadValue<JsonElement>("events", out var events)
        || !events.TryGetProperty("http://schemas.openid.net/event/backchannel-logout", out _)
        || token.TryGetPayloadValue<string>("nonce", out _) || !seen.TryAdd(token.Id, 0))
    {
        return Results.BadRequest(); // OpenID Connect Back-Channel Logout 1.0 §2.8
    }

    Accept("backchannel-logout", token.Subject, Optional(token, "sid"), token.Id);
    return Results.Ok();
});

app.MapPost("/caep", async (HttpRequest request) =>
{
    using var reader = new StreamReader(request.Body);
    var result = await keys.ValidateAsync(await reader.ReadToEndAsync(), Parameters("secevent+jwt", requireExp: false));
    if (!result.IsValid || result.SecurityToken is not JsonWebToken token
        || !token.TryGetPayloadValue<JsonElement>("events", out var events)
        || !events.TryGetProperty("https://schemas.openid.net/secevent/caep/event-type/session-revoked", out _)
        || !token.TryGetPayloadValue<JsonElement>("sub_id", out var subjectId) || !seen.TryAdd(token.Id, 0))
    {
        return Results.BadRequest(); // RFC 8935 §2.4 would add {"err":"invalid_request"}
    }

    // RFC 9493: {"format":"opaque","id":...} names the subject; "complex" adds the one session that ended.
    var (subject, sid) = subjectId.GetProperty("format").GetString() == "complex"
        ? (subjectId.GetProperty("user").GetProperty("id").GetString(), subjectId.GetProperty("session").GetProperty("id").GetString())
        : (subjectId.GetProperty("id").GetString(), null);
    Accept("caep", subject, sid, token.Id);
    return Results.Accepted();
});

app.Run();

TokenValidationParameters Parameters(string type, bool requireExp) => new()
{
    ValidIssuer = issuer,
    ValidAudience = audience,
    ValidTypes = [type],                 // explicit typing (RFC 8725 §3.11): never another kind of token
    ValidAlgorithms = ["RS256"],
    RequireExpirationTime = requireExp,  // a SET carries no exp (RFC 8417 §2.2)
    ClockSkew = TimeSpan.FromMinutes(1),
};

static string? Optional(JsonWebToken token, string claim) => token.TryGetPayloadValue<string>(claim, out var value) ? value : null;

static void Accept(string format, string? subject, string? sid, string jti) =>
    Console.WriteLine(JsonSerializer.Serialize(new { format, subject, sid, jti }));

/// <summary>The application's JWKS, fetched again when a token names a key it does not hold (a rotation).</summary>
sealed class PublishedKeys(HttpClient http, Uri jwks)
{
    private readonly JsonWebTokenHandler _handler = new();
    private IList<SecurityKey> _keys = [];

    public async Task<TokenValidationResult> ValidateAsync(string token, TokenValidationParameters parameters)
    {
        parameters.IssuerSigningKeys = _keys;
        var result = await _handler.ValidateTokenAsync(token, parameters);
        if (result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            _keys = new JsonWebKeySet(await http.GetStringAsync(jwks)).GetSigningKeys();
            parameters.IssuerSigningKeys = _keys;
            result = await _handler.ValidateTokenAsync(token, parameters);
        }

        return result;
    }
}
