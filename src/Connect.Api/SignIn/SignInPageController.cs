namespace Connect.Api.SignIn;

/// <summary>
/// The sign-in page on the service's own origin (docs/contract/sign-in.md "The sign-in page"): the HTML, its one
/// script and one stylesheet, and the four JSON calls the script makes (begin and finish, for signing in or up and
/// for an enrollment link). The page is no part of the API document.
/// </summary>
[ApiExplorerSettings(IgnoreApi = true)]
public sealed class SignInPageController(IMediator mediator) : ControllerBase
{
    public const string PageRoute = "/sign-in";
    public const string EnrollRoute = "/sign-in/enroll";
    public const string ScriptRoute = "/sign-in/sign-in.js";
    public const string StylesheetRoute = "/sign-in/sign-in.css";

    private const int BeginBodyBytes = 1024;
    private const int FinishBodyBytes = SignInRules.MaxCredentialBytes + 1024;

    private static readonly byte[] Script = Asset("sign-in.js");
    private static readonly byte[] Stylesheet = Asset("sign-in.css");

    [HttpGet(PageRoute)]
    public async Task<IResult> Page([FromQuery(Name = "exposure-key")] string? exposureKey)
    {
        SignInPageAnswers.ApplyHeaders(Response);
        var inquiry = SignInRules.IsKey(exposureKey)
            ? await mediator.Send(new DescribeInquiryQuery(exposureKey!), HttpContext.RequestAborted)
            : InquiryDescription.Unknown;
        return inquiry switch
        {
            { State: InquiryState.Pending, ApplicationName: { } name } => Html(SignInPageMarkup.SignIn(name, exposureKey!, inquiry.SignUpOpen)),
            { State: InquiryState.Expired } => Unavailable(inquiry.ApplicationName, SignInFailure.InquiryExpired, StatusCodes.Status410Gone),
            { State: InquiryState.Realized } => Unavailable(inquiry.ApplicationName, SignInFailure.InquiryRealized, StatusCodes.Status410Gone),
            { State: InquiryState.Redeemed } => Unavailable(inquiry.ApplicationName, SignInFailure.InquiryRedeemed, StatusCodes.Status410Gone),
            _ => Unavailable(null, SignInFailure.InquiryNotFound, StatusCodes.Status404NotFound),
        };
    }

    [HttpGet(EnrollRoute)]
    public async Task<IResult> EnrollPage(
        [FromQuery(Name = "token")] string? token, [FromQuery(Name = "exposure-key")] string? exposureKey)
    {
        SignInPageAnswers.ApplyHeaders(Response);
        var shown = await mediator.Send(new ShowEnrollmentPageQuery(token ?? ""), HttpContext.RequestAborted);
        return shown.Succeeded
            ? Html(SignInPageMarkup.Enroll(token!, shown.Value.ExpiresAt, SignInRules.IsKey(exposureKey) ? exposureKey : null))
            : Unavailable(null, shown.Failure.Value, StatusCodes.Status404NotFound);
    }

    [HttpGet(ScriptRoute)]
    public IResult PageScript()
    {
        SignInPageAnswers.ApplyHeaders(Response);
        return Results.Bytes(Script, "text/javascript; charset=utf-8");
    }

    [HttpGet(StylesheetRoute)]
    public IResult PageStylesheet()
    {
        SignInPageAnswers.ApplyHeaders(Response);
        return Results.Bytes(Stylesheet, "text/css; charset=utf-8");
    }

    [HttpPost("/sign-in/passkey/begin")]
    [RawJsonBody(BeginBodyBytes)]
    public async Task<IResult> BeginPasskey([FromServices] SignInPageGuard guard)
    {
        if (Refused(guard, out var body, out var key, "exposureKey") is { } refused)
        {
            return refused;
        }

        if (Mode(body) is not { } purpose)
        {
            return Answer(SignInFailure.BadRequest);
        }

        var started = await mediator.Send(new StartPasskeyCeremonyCommand(key, purpose), HttpContext.RequestAborted);
        return started.Succeeded ? Observed("Ready", SignInPageAnswers.Ready(started.Value.Ceremony, started.Value.Options)) : Answer(started.Failure.Value);
    }

    [HttpPost("/sign-in/passkey/finish")]
    [RawJsonBody(FinishBodyBytes)]
    public async Task<IResult> FinishPasskey([FromServices] SignInPageGuard guard)
    {
        if (Refused(guard, out var body, out var key, "exposureKey") is { } refused)
        {
            return refused;
        }

        if (Mode(body) is not { } purpose || Ceremony(body) is not { } ceremony || Credential(body) is not { } credential)
        {
            return Answer(SignInFailure.BadRequest);
        }

        var finished = await mediator.Send(
            new FinishPasskeyCeremonyCommand(key, purpose, ceremony, credential), HttpContext.RequestAborted);
        return finished.Succeeded ? Observed("Realized", SignInPageAnswers.Realized(finished.Value.CallbackUrl)) : Answer(finished.Failure.Value);
    }

    [HttpPost("/sign-in/enroll/begin")]
    [RawJsonBody(BeginBodyBytes)]
    public async Task<IResult> BeginEnrollment([FromServices] SignInPageGuard guard)
    {
        if (Refused(guard, out _, out var token, "token") is { } refused)
        {
            return refused;
        }

        var started = await mediator.Send(new StartEnrollmentCommand(token), HttpContext.RequestAborted);
        return started.Succeeded ? Observed("Ready", SignInPageAnswers.Ready(started.Value.Ceremony, started.Value.Options)) : Answer(started.Failure.Value);
    }

    [HttpPost("/sign-in/enroll/finish")]
    [RawJsonBody(FinishBodyBytes)]
    public async Task<IResult> FinishEnrollment([FromServices] SignInPageGuard guard)
    {
        if (Refused(guard, out var body, out var token, "token") is { } refused)
        {
            return refused;
        }

        if (Ceremony(body) is not { } ceremony || Credential(body) is not { } credential || !OptionalKey(body, "exposureKey", out var exposureKey))
        {
            return Answer(SignInFailure.BadRequest);
        }

        var finished = await mediator.Send(new FinishEnrollmentCommand(token, ceremony, credential, exposureKey), HttpContext.RequestAborted);
        return finished switch
        {
            { Succeeded: true, Value.Realized: { } realized } => Observed("Realized", SignInPageAnswers.Realized(realized.CallbackUrl)),
            { Succeeded: true } => Observed("Enrolled", SignInPageAnswers.Enrolled()),
            _ => Answer(finished.Failure!.Value),
        };
    }

    /// <summary>
    /// The checks every JSON call shares, in order: our own Origin, a JSON object naming the inquiry (or link),
    /// then the budgets; <c>null</c> when the call may go on.
    /// </summary>
    private IResult? Refused(SignInPageGuard guard, out JsonElement body, out string key, string keyProperty)
    {
        SignInPageAnswers.ApplyHeaders(Response);
        body = default;
        key = "";
        if (!guard.IsOwnOrigin(Request))
        {
            return Observed("ForeignOrigin", SignInPageAnswers.Failed("This request did not come from the sign-in page.", StatusCodes.Status403Forbidden));
        }

        // The same strict reader as every other body: the page's own script never sends what it refuses.
        if (!StrictJson.TryParse(HttpContext.Features.GetRequiredFeature<RawJsonBody>().Bytes, out var document))
        {
            return new ReasonAnswer(ReasonCode.InvalidBody);
        }

        using (document)
        {
            body = document.RootElement.Clone();
        }

        if (body.ValueKind != JsonValueKind.Object
            || !body.TryGetProperty(keyProperty, out var value) || value.ValueKind != JsonValueKind.String
            || !SignInRules.IsKey(value.GetString()))
        {
            return new ReasonAnswer(ReasonCode.InvalidBody);
        }

        key = value.GetString()!;
        return guard.TryAcquire(HttpContext, key) ? null : new ReasonAnswer(ReasonCode.RateLimited);
    }

    /// <summary>An absent key is fine; one that is present must be a well-formed key.</summary>
    private static bool OptionalKey(JsonElement body, string name, out string? key)
    {
        key = null;
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        key = value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return SignInRules.IsKey(key);
    }

    private static CeremonyPurpose? Mode(JsonElement body) =>
        body.TryGetProperty("mode", out var mode) && mode.ValueKind == JsonValueKind.String
            ? mode.GetString() switch
            {
                "sign-in" => CeremonyPurpose.SignIn,
                "sign-up" => CeremonyPurpose.SignUp,
                _ => null,
            }
            : null;

    private static Guid? Ceremony(JsonElement body) =>
        body.TryGetProperty("ceremony", out var ceremony) && ceremony.ValueKind == JsonValueKind.String
        && Guid.TryParse(ceremony.GetString(), out var id)
            ? id
            : null;

    private static ReadOnlyMemory<byte>? Credential(JsonElement body) =>
        body.TryGetProperty("credential", out var credential) && credential.ValueKind == JsonValueKind.Object
            ? Encoding.UTF8.GetBytes(credential.GetRawText())
            : null;

    private IResult Answer(SignInFailure failure) => Observed(failure.ToString(), SignInPageAnswers.Failed(failure));

    private IResult Observed(string result, IResult answer)
    {
        if (HttpContext.Features.Get<ObservedOutcome>() is { } observed)
        {
            observed.Result = result;
        }

        return answer;
    }

    private static IResult Unavailable(string? applicationName, SignInFailure failure, int status) =>
        Html(SignInPageMarkup.Unavailable(applicationName, SignInPageAnswers.Explain(failure)), status);

    private static IResult Html(string html, int status = StatusCodes.Status200OK) =>
        Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);

    private static byte[] Asset(string name)
    {
        using var stream = typeof(SignInPageController).Assembly.GetManifestResourceStream($"Connect.Api.SignIn.Assets.{name}")
            ?? throw new InvalidOperationException($"The sign-in page's {name} is not embedded.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The gate's and the budget's refusals go through the one mapper, as everywhere else.</summary>
    private sealed class ReasonAnswer(ReasonCode reason) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => ReasonResponse.WriteAsync(httpContext, reason);
    }
}
