using System.Text.Json.Nodes;
using Banyan.Platform.Http;
using Banyan.Server.Http;
using Banyan.Server.Identity;
using Banyan.Server.Storage;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace Banyan.Server.OpenApi;

/// <summary>
/// The OpenAPI 3.1 document at <c>/openapi/v1.json</c>: the OAuth2 client-credentials scheme, the
/// scope each operation needs, the problem responses every operation can return, and the
/// <c>Idempotency-Key</c> header on POSTs.
/// </summary>
internal static class OpenApiRegistration
{
    public const string SchemeName = "oauth2";
    public const string ProblemSchemaName = "Problem";

    public static void AddBanyanOpenApi(this IServiceCollection services, ModuleCatalog catalog)
    {
        services.AddOpenApi("v1", options =>
        {
            options.OpenApiVersion = OpenApiSpecVersion.OpenApi3_1;
            options.AddDocumentTransformer((document, _, _) =>
            {
                DescribeDocument(document, catalog);
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                DescribeOperation(operation, context, catalog);
                return Task.CompletedTask;
            });
        });
    }

    private static void DescribeDocument(OpenApiDocument document, ModuleCatalog catalog)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Banyan API",
            Version = "v1",
            Description = "Banyan's HTTP API. Authenticate with OAuth2 client credentials at /connect/token; every error is an RFC 9457 problem document.",
            License = new OpenApiLicense { Name = "Apache-2.0", Identifier = "Apache-2.0" },
        };
        document.Servers = [new OpenApiServer { Url = "/", Description = "This Banyan host" }];
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.OAuth2,
            Description = "OAuth2 client credentials; the access token is a signed JWT. Each operation lists the scope it needs.",
            Flows = new OpenApiOAuthFlows
            {
                ClientCredentials = new OpenApiOAuthFlow
                {
                    TokenUrl = new Uri(IdentityRegistration.TokenPath, UriKind.Relative),
                    Scopes = catalog.Scopes.ToDictionary(s => s, s => $"Access to the {s} capability"),
                },
            },
        };
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>();
        document.Components.Schemas[ProblemSchemaName] = ProblemSchema();
        document.Tags = new HashSet<OpenApiTag>(catalog.Modules.Select(m => new OpenApiTag { Name = m.Name, Description = $"Endpoints of the {m.Name} module." }));
    }

    // /v1/ledger/accounts -> ledger; /v1/test-admin -> test-admin (not a module: untagged).
    private static string? ModuleOf(string path)
    {
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return segments is ["v1", var first, ..] && !first.StartsWith('{') ? first : null;
    }

    // Stable fallback for endpoints without .WithName(): get /v1/ledger/accounts/{id} -> get_v1_ledger_accounts_id.
    private static string OperationIdFor(string method, string path)
    {
        var words = path.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => new string([.. s.Where(c => char.IsAsciiLetterOrDigit(c) || c == '-').Select(c => c == '-' ? '_' : c)]));
        return method.ToLowerInvariant() + "_" + string.Join('_', words);
    }

    private static OpenApiSchema ProblemSchema() => new()
    {
        Type = JsonSchemaType.Object,
        Description = "RFC 9457 problem document. `type` is a stable URI under https://banyan.dev/problems/ (see docs/api-conventions.md).",
        Required = new HashSet<string> { "type", "title", "status" },
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "uri", Examples = [JsonValue.Create(ProblemTypes.NotFound.Uri)] },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer, Format = "int32" },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["instance"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["trace_id"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["request_id"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Description = "Validation problems only: messages by snake_case field path.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
    };

    private static void DescribeOperation(OpenApiOperation operation, OpenApiOperationTransformerContext context, ModuleCatalog catalog)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var document = context.Document;
        var scopes = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).OfType<string>()
            .Where(p => p.StartsWith("scope:", StringComparison.Ordinal)).Select(p => p["scope:".Length..]).Distinct().ToList();
        var authenticated = metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
        var path = "/" + (context.Description.RelativePath ?? "").TrimStart('/');
        operation.Summary ??= context.Description.ActionDescriptor.DisplayName;
        operation.OperationId ??= OperationIdFor(context.Description.HttpMethod ?? "get", path);

        // Tag operations by module (the first segment after /v1) instead of the assembly name.
        var module = ModuleOf(path);
        if (module is not null && catalog.Modules.Any(m => m.Name == module))
        {
            operation.Tags = new HashSet<OpenApiTagReference> { new(module, document) };
        }

        operation.Responses ??= new OpenApiResponses();
        if (authenticated)
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = scopes }];
            AddProblem(operation, document, "401", "No valid access token.");
            AddProblem(operation, document, "403", "The access token lacks the required scope.");
        }
        else
        {
            operation.Security = [];
        }

        AddProblem(operation, document, "400", "Malformed request or invalid fields.");
        AddProblem(operation, document, "500", "Unexpected error; quote trace_id.");
        if (string.Equals(context.Description.HttpMethod, "POST", StringComparison.OrdinalIgnoreCase))
        {
            AddProblem(operation, document, "413", "Request body over the endpoint's limit.");
            AddProblem(operation, document, "422", "Idempotency-Key reused with a different request, or a business rule rejected the request.");
            AddProblem(operation, document, "409", "A request with the same Idempotency-Key is still in progress, or the request conflicts with current state.");
            operation.Parameters ??= [];
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = IdempotencyMiddleware.HeaderName,
                In = ParameterLocation.Header,
                Required = false,
                Description = "Makes a retry safe: the same key and body within 24 hours replays the first response.",
                Schema = new OpenApiSchema { Type = JsonSchemaType.String, MinLength = 1, MaxLength = IdempotencyRecord.MaxKeyLength },
            });
        }
    }

    private static void AddProblem(OpenApiOperation operation, OpenApiDocument? document, string status, string description)
    {
        if (operation.Responses!.ContainsKey(status))
        {
            return;
        }

        operation.Responses[status] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType>
            {
                ["application/problem+json"] = new OpenApiMediaType { Schema = new OpenApiSchemaReference(ProblemSchemaName, document) },
            },
        };
    }
}
