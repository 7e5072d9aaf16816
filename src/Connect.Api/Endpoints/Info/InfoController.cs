namespace Connect.Api.Endpoints.Info;

/// <summary><c>POST /info</c> (docs/contract/sign-in.md): public facts about an application.</summary>
public sealed class InfoController(IMediator mediator) : ControllerBase, IDescribedEndpoint
{
    public const string Route = "/info";

    static EndpointContract IDescribedEndpoint.Contract { get; } = new(
        HttpMethods.Post, Route, "info", typeof(InfoResponse),
        [ReasonCode.InvalidBody, ReasonCode.ApplicationNotFound])
    {
        Summary = "Read an application's name and token-signing public key",
        Description =
            "The application's display name (its anchor when it has none; no name is kept per locale, so every locale "
            + "gets it) and the PEM of its current token-signing public key, which the Connect 1.4.0 client verifies "
            + "tokens with. The JWKS (/applications/{anchor}/jwks.json) also lists the keys still publishing.",
        Body = new EndpointBody(typeof(InfoRequest), RefusesUnknownMembers: true),
        Budget = EndpointBudget.ClientAddress,
    };

    public Task<IActionResult> Info() => mediator.SendAsync(
        HttpContext,
        InfoRequestBody.Parse,
        body => new ApplicationInfoQuery(body.ApplicationAnchor, body.Locale),
        info => JsonAnswer.AsResult(
            new InfoResponse(info.ApplicationAnchor, info.ApplicationName, info.ApplicationPublicKey),
            InfoJson.Default.InfoResponse));

    public sealed record InfoRequest(
        [property: Required]
        [property: StringLength(255, MinimumLength = 1)]
        [property: Description("The application's anchor.")]
        string ApplicationAnchor,
        [property: Required]
        [property: StringLength(ApplicationInfoQuery.MaxLocaleLength, MinimumLength = 1)]
        [property: Description("A BCP 47 language tag, e.g. en-US.")]
        string Locale);

    public sealed record InfoResponse(string ApplicationAnchor, string ApplicationName, string ApplicationPublicKey);
}

/// <summary>The answers of InfoController, serialized by generated code with the web defaults (camelCase), as every answer.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(InfoController.InfoResponse))]
internal sealed partial class InfoJson : JsonSerializerContext;
