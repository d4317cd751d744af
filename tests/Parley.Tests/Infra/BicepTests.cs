using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Parley.Testing;

namespace Parley.Tests.Infra;

/// <summary>
/// The Azure deployment checked offline: <c>infra/main.bicep</c> compiles with the Bicep CLI from the NuGet package
/// Azure.Bicep.CommandLine.linux-x64 (restored with this project) without a warning, and the compiled ARM JSON keeps
/// the security settings, role assignments and app settings the app needs.
/// </summary>
public sealed partial class BicepTests
{
    private const string StorageBlobDataOwner = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b";
    private const string StorageQueueDataContributor = "974c5e8b-45b9-4653-ba55-5f855dd0fb88";
    private const string StorageTableDataContributor = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3";
    private const string MonitoringMetricsPublisher = "3913510d-42f4-4e42-8a64-420c390055eb";

    private static readonly Lazy<Compiled> Build = new(Compile);

    private sealed record Compiled(int ExitCode, string StdOut, string StdErr, JsonObject? Template);

    /// <summary>A resource of the compiled template, with the variables of the (nested) template it is declared in.</summary>
    private sealed record Resource(JsonObject Json, JsonObject Variables)
    {
        public string Type => (string?)Json["type"] ?? "";
        public JsonNode? Properties => Json["properties"];
    }

    [Fact]
    public void Main_bicep_builds_without_errors_or_warnings()
    {
        var build = Build.Value;
        Assert.True(build.ExitCode == 0, $"bicep build failed ({build.ExitCode}):\n{build.StdErr}{build.StdOut}");
        Assert.DoesNotContain("Warning", build.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Error", build.StdErr, StringComparison.OrdinalIgnoreCase);
        Assert.NotNull(build.Template);
    }

    [Fact]
    public void The_storage_account_accepts_only_Entra_ID_over_TLS_1_2_and_has_a_private_deployment_container()
    {
        var storage = Assert.Single(Resources(), r => r.Type == "Microsoft.Storage/storageAccounts");
        Assert.False((bool)storage.Properties!["allowSharedKeyAccess"]!);
        Assert.Equal("TLS1_2", (string?)storage.Properties["minimumTlsVersion"]);
        Assert.True((bool)storage.Properties["supportsHttpsTrafficOnly"]!);
        Assert.False((bool)storage.Properties["allowBlobPublicAccess"]!);
        var container = Assert.Single(Resources(), r => r.Type == "Microsoft.Storage/storageAccounts/blobServices/containers");
        Assert.Equal("None", (string?)container.Properties!["publicAccess"]);
    }

    [Fact]
    public void The_app_identity_holds_every_storage_data_role_and_the_monitoring_role()
    {
        var roles = Resources()
            .Where(r => r.Type == "Microsoft.Authorization/roleAssignments"
                && (string?)r.Properties!["principalId"] == "[parameters('identityPrincipalId')]"
                && (string?)r.Properties["principalType"] == "ServicePrincipal")
            .Select(r => RoleGuid(r))
            .ToHashSet();
        Assert.Contains(StorageBlobDataOwner, roles);
        Assert.Contains(StorageQueueDataContributor, roles);
        Assert.Contains(StorageTableDataContributor, roles);
        Assert.Contains(MonitoringMetricsPublisher, roles);

        // ...and that principal id is the user-assigned identity's.
        var rbac = Assert.Single(Resources(), r => r.Type == "Microsoft.Resources/deployments" && (string?)r.Json["name"] == "rbac");
        var passed = (string?)rbac.Properties!["parameters"]!["identityPrincipalId"]!["value"];
        Assert.Contains("'identity')", passed);
        Assert.Contains(".outputs.principalId.value", passed);
        Assert.Single(Resources(), r => r.Type == "Microsoft.ManagedIdentity/userAssignedIdentities");
    }

    [Fact]
    public void The_function_app_is_https_only_with_TLS_1_2_and_no_FTP_or_basic_publishing_credentials()
    {
        var site = Assert.Single(Resources(), r => r.Type == "Microsoft.Web/sites");
        Assert.True((bool)site.Properties!["httpsOnly"]!);
        Assert.Equal("functionapp,linux", (string?)site.Json["kind"]);
        Assert.Equal("UserAssigned", (string?)site.Json["identity"]!["type"]);
        Assert.Equal("1.2", (string?)site.Properties["siteConfig"]!["minTlsVersion"]);
        Assert.Equal("Disabled", (string?)site.Properties["siteConfig"]!["ftpsState"]);

        var policies = Resources().Where(r => r.Type == "Microsoft.Web/sites/basicPublishingCredentialsPolicies").ToList();
        foreach (var name in new[] { "ftp", "scm" })
        {
            var policy = Assert.Single(policies, p => ((string?)p.Json["name"])?.EndsWith($"'{name}')]", StringComparison.Ordinal) == true
                || (string?)p.Json["name"] == name);
            Assert.False((bool)policy.Properties!["allow"]!);
        }
    }

    [Fact]
    public void The_app_runs_on_Flex_Consumption_with_an_always_ready_http_instance_and_packages_from_blob_storage_through_the_identity()
    {
        var plan = Assert.Single(Resources(), r => r.Type == "Microsoft.Web/serverfarms");
        Assert.Equal("FC1", (string?)plan.Json["sku"]!["name"]);
        Assert.Equal("FlexConsumption", (string?)plan.Json["sku"]!["tier"]);
        Assert.True((bool)plan.Properties!["reserved"]!);

        var config = Assert.Single(Resources(), r => r.Type == "Microsoft.Web/sites").Properties!["functionAppConfig"]!;
        var scale = config["scaleAndConcurrency"]!;
        Assert.Equal(2048, ApiInt(scale["instanceMemoryMB"]!).Value);
        var http = Assert.Single(scale["alwaysReady"]!.AsArray(), a => (string?)a!["name"] == "http")!;
        var count = ApiInt(http["instanceCount"]!);
        Assert.True(count.Value >= 1, "no always-ready http instance");
        Assert.True(count.MinValue is null or >= 1, "the always-ready count may be set to 0");
        Assert.Equal("dotnet-isolated", (string?)config["runtime"]!["name"]);
        var storage = config["deployment"]!["storage"]!;
        Assert.Equal("blobContainer", (string?)storage["type"]);
        Assert.Equal("UserAssignedIdentity", (string?)storage["authentication"]!["type"]);
    }

    [Fact]
    public void Application_Insights_accepts_only_Entra_ID()
    {
        var appInsights = Assert.Single(Resources(), r => r.Type == "Microsoft.Insights/components");
        Assert.True((bool)appInsights.Properties!["DisableLocalAuth"]!);
        Assert.Equal("ClientId={0};Authorization=AAD", FormatOf(AppSettings()["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"]));
    }

    [Fact]
    public void The_app_reaches_storage_with_its_managed_identity()
    {
        var settings = AppSettings();
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Equal("[parameters('identityClientId')]", settings["AzureWebJobsStorage__clientId"]);
        var api = Assert.Single(Resources(), r => r.Type == "Microsoft.Resources/deployments" && (string?)r.Json["name"] == "api");
        var clientId = (string?)api.Properties!["parameters"]!["identityClientId"]!["value"];
        Assert.Contains("'identity')", clientId);
        Assert.Contains(".outputs.clientId.value", clientId);
        foreach (var service in new[] { "blob", "queue", "table" })
        {
            Assert.True(settings.ContainsKey($"AzureWebJobsStorage__{service}ServiceUri"), service);
        }
        Assert.DoesNotContain("AzureWebJobsStorage", settings.Keys); // no connection string
        Assert.DoesNotContain("FUNCTIONS_EXTENSION_VERSION", settings.Keys); // not used on Flex Consumption
        Assert.DoesNotContain("FUNCTIONS_WORKER_RUNTIME", settings.Keys); // functionAppConfig.runtime says it on Flex
    }

    [Fact]
    public void No_output_app_setting_or_resource_reads_a_key_or_holds_a_secret()
    {
        var template = Build.Value.Template!.ToJsonString();
        foreach (var forbidden in new[] { "listKeys(", "listkeys(", "listConnectionStrings(", "listAccountSas(", "listServiceSas(", "AccountKey=", "accesskey=", "SharedAccessSignature", "SharedAccessKey" })
        {
            Assert.DoesNotContain(forbidden, template, StringComparison.OrdinalIgnoreCase);
        }
        foreach (var (name, value) in AppSettings())
        {
            Assert.False(Regex.IsMatch(value, "key|secret|password|sig=", RegexOptions.IgnoreCase) && !value.StartsWith("[parameters(", StringComparison.Ordinal),
                $"App setting {name} looks like a secret: {value}");
        }
        var outputs = Build.Value.Template!["outputs"]!.AsObject();
        foreach (var (name, output) in outputs)
        {
            Assert.NotEqual("securestring", ((string?)output!["type"])?.ToLowerInvariant());
            Assert.DoesNotMatch("(?i)key|secret|password|connectionstring", name);
        }
    }

    [Fact]
    public void The_outputs_azd_reads_are_there()
    {
        var outputs = Build.Value.Template!["outputs"]!.AsObject();
        foreach (var name in new[] { "AZURE_LOCATION", "AZURE_TENANT_ID", "RESOURCE_GROUP", "AZURE_FUNCTION_APP_NAME", "SERVICE_API_NAME", "SERVICE_API_URI", "AZURE_USER_ASSIGNED_IDENTITY_CLIENT_ID" })
        {
            Assert.True(outputs.ContainsKey(name), $"output {name} is missing");
        }
        Assert.All(outputs.Select(o => o.Key), name => Assert.Matches("^[A-Z][A-Z0-9_]*$", name));
    }

    [Fact]
    public void Every_app_setting_the_deployment_sets_is_in_the_README_settings_table()
    {
        var documented = ReadmeSettingNames();
        Assert.Contains("App__PublicUrl", documented); // the parser found the table
        var missing = AppSettings().Keys
            .Where(name => !name.StartsWith("APPLICATIONINSIGHTS_", StringComparison.Ordinal)) // the platform's own settings
            .Where(name => !documented.Contains(name))
            .ToList();
        Assert.True(missing.Count == 0, "App settings missing from the README's settings table: " + string.Join(", ", missing));
    }

    [Fact]
    public void The_app_settings_the_hosted_app_needs_are_set()
    {
        var settings = AppSettings();
        Assert.Equal("[format('https://{0}', reference(resourceId('Microsoft.Web/sites', parameters('name')), '2024-04-01').defaultHostName)]", settings["App__PublicUrl"]);
        Assert.Equal("wwwroot", settings["StaticWeb__Root"]);
        Assert.Equal("true", settings["Durable__Enabled"]);
        Assert.True(settings.ContainsKey("Durable__TaskHub"));
        Assert.True(settings.ContainsKey("Communication__Provider"));
        Assert.True(settings.ContainsKey("Communication__EmailFrom"));
    }

    [Fact]
    public void Azure_yaml_names_the_infra_and_the_api_function_service()
    {
        var yaml = File.ReadAllText(RepositoryPaths.Combine("azure.yaml"));
        Assert.Matches(@"(?m)^name:\s*parley\s*$", yaml);
        Assert.Matches(@"(?m)^infra:\s*$", yaml);
        Assert.Matches(@"(?m)^\s+provider:\s*bicep\s*$", yaml);
        Assert.Matches(@"(?m)^\s+path:\s*infra\s*$", yaml);
        Assert.Matches(@"(?m)^\s+module:\s*main\s*$", yaml);
        Assert.Matches(@"(?m)^services:\s*\n\s+api:\s*$", yaml);
        Assert.Matches(@"(?m)^\s+project:\s*\./functions\s*$", yaml);
        Assert.Matches(@"(?m)^\s+language:\s*dotnet\s*$", yaml);
        Assert.Matches(@"(?m)^\s+host:\s*function\s*$", yaml);
        Assert.True(File.Exists(RepositoryPaths.Combine("infra", "main.bicep")));
        var parameters = JsonNode.Parse(File.ReadAllText(RepositoryPaths.Combine("infra", "main.parameters.json")))!["parameters"]!;
        Assert.Equal("${AZURE_ENV_NAME}", (string?)parameters["environmentName"]!["value"]);
        Assert.Equal("${AZURE_LOCATION}", (string?)parameters["location"]!["value"]);
    }

    // --- helpers ---

    private static Compiled Compile()
    {
        var bicep = BicepExecutable();
        var outDir = Directory.CreateTempSubdirectory("parley-bicep-");
        try
        {
            var outFile = Path.Combine(outDir.FullName, "main.json");
            var start = new ProcessStartInfo(bicep)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = RepositoryPaths.Root,
            };
            foreach (var arg in new[] { "build", RepositoryPaths.Combine("infra", "main.bicep"), "--outfile", outFile })
            {
                start.ArgumentList.Add(arg);
            }
            start.Environment["BICEP_TRACING_ENABLED"] = "false";
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromMinutes(2)))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("bicep build did not finish within 2 minutes");
            }
            process.WaitForExit();
            var template = process.ExitCode == 0 ? JsonNode.Parse(File.ReadAllText(outFile))!.AsObject() : null;
            return new Compiled(process.ExitCode, stdout.Result, stderr.Result, template);
        }
        finally
        {
            outDir.Delete(recursive: true);
        }
    }

    /// <summary>tools/bicep in the restored package (the path MSBuild's GeneratePathProperty gave), made executable.</summary>
    private static string BicepExecutable()
    {
        var root = typeof(BicepTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "BicepPackageRoot")?.Value;
        if (string.IsNullOrEmpty(root))
        {
            var packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
                ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            root = Path.Combine(packages, "azure.bicep.commandline.linux-x64", "0.49.2");
        }
        var bicep = Path.Combine(root, "tools", "bicep");
        Assert.True(File.Exists(bicep), $"The Bicep CLI is not at {bicep}: restore tests/Parley.Tests (package Azure.Bicep.CommandLine.linux-x64).");
        if (!OperatingSystem.IsWindows())
        {
            var mode = File.GetUnixFileMode(bicep);
            if (!mode.HasFlag(UnixFileMode.UserExecute))
            {
                File.SetUnixFileMode(bicep, mode | UnixFileMode.UserExecute);
            }
        }
        return bicep;
    }

    private static List<Resource> Resources()
    {
        var template = Build.Value.Template;
        Assert.NotNull(template);
        var found = new List<Resource>();
        Collect(template, found);
        return found;
    }

    /// <summary>Every resource, including those of the modules (nested deployments' templates).</summary>
    private static void Collect(JsonObject template, List<Resource> found)
    {
        var variables = template["variables"]?.AsObject() ?? [];
        IEnumerable<JsonNode?> resources = template["resources"] switch
        {
            JsonArray array => array,
            JsonObject symbolic => symbolic.Select(p => p.Value), // languageVersion 2.0
            _ => [],
        };
        foreach (var node in resources.OfType<JsonObject>())
        {
            found.Add(new Resource(node, variables));
            if ((string?)node["type"] == "Microsoft.Resources/deployments" && node["properties"]?["template"] is JsonObject nested)
            {
                Collect(nested, found);
            }
        }
    }

    private static string RoleGuid(Resource assignment)
    {
        var id = (string?)assignment.Properties!["roleDefinitionId"] ?? "";
        var variable = VariableReference().Match(id);
        if (variable.Success)
        {
            return (string?)assignment.Variables[variable.Groups[1].Value] ?? "";
        }
        var literal = GuidPattern().Match(id);
        return literal.Success ? literal.Value : "";
    }

    private static Dictionary<string, string> AppSettings()
    {
        var config = Assert.Single(Resources(), r => r.Type == "Microsoft.Web/sites/config" && ((string?)r.Json["name"])?.Contains("appsettings", StringComparison.Ordinal) == true);
        return config.Properties!.AsObject().ToDictionary(p => p.Key, p => p.Value!.GetValueKind() == System.Text.Json.JsonValueKind.String ? (string)p.Value! : p.Value!.ToJsonString());
    }

    private static string FormatOf(string expression) => FormatPattern().Match(expression) is { Success: true } m ? m.Groups[1].Value : expression;

    /// <summary>A number in the api module: a literal, or a parameter (the value main passes, else its default) with its @minValue.</summary>
    private static (int Value, int? MinValue) ApiInt(JsonNode node)
    {
        if (node.GetValueKind() == System.Text.Json.JsonValueKind.Number)
        {
            return ((int)node, null);
        }
        var name = ParameterReference().Match((string)node!);
        Assert.True(name.Success, $"neither a number nor a parameter: {node}");
        var api = Assert.Single(Resources(), r => r.Type == "Microsoft.Resources/deployments" && (string?)r.Json["name"] == "api");
        var declared = api.Properties!["template"]!["parameters"]![name.Groups[1].Value]!;
        var passed = api.Properties["parameters"]?[name.Groups[1].Value]?["value"];
        var value = passed is not null && passed.GetValueKind() == System.Text.Json.JsonValueKind.Number ? (int)passed : (int)declared["defaultValue"]!;
        return (value, declared["minValue"] is { } min ? (int)min : null);
    }

    /// <summary>Every setting name in the README's settings table: the backticked names in a row's first cell.</summary>
    private static HashSet<string> ReadmeSettingNames()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in File.ReadLines(RepositoryPaths.Combine("README.md")).Where(l => l.StartsWith("| `", StringComparison.Ordinal)))
        {
            var firstCell = line.Split('|', StringSplitOptions.None)[1];
            foreach (Match m in Backticked().Matches(firstCell))
            {
                names.Add(m.Groups[1].Value);
            }
        }
        return names;
    }

    [GeneratedRegex(@"variables\('([A-Za-z0-9_]+)'\)")]
    private static partial Regex VariableReference();

    [GeneratedRegex(@"parameters\('([A-Za-z0-9_]+)'\)")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex GuidPattern();

    [GeneratedRegex(@"^\[format\('([^']*)'")]
    private static partial Regex FormatPattern();

    [GeneratedRegex(@"`([A-Za-z0-9_]+)`")]
    private static partial Regex Backticked();
}
