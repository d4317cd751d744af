namespace Parley.Tests.Chat;

/// <summary>
/// Script-injection payloads for every field a website visitor writes (quality bar: ≥ 200 payloads, 0 executions in the
/// dashboard and the widget). Each payload, when it runs, calls <c>window.__xss(n)</c>; tests define that function and
/// assert it was never called (and no dialog opened). Vectors cover element and attribute contexts, event handlers,
/// URLs (javascript:, data:), SVG/MathML, template and encoding tricks; each is wrapped in a few contexts.
/// </summary>
public static class XssCorpus
{
    private static readonly string[] Vectors =
    [
        "<script>__xss(N)</script>",
        "<img src=x onerror=__xss(N)>",
        "<img src=\"x\" onerror=\"__xss(N)\">",
        "<svg onload=__xss(N)>",
        "<svg><script>__xss(N)</script></svg>",
        "<body onload=__xss(N)>",
        "<iframe src=\"javascript:parent.__xss(N)\"></iframe>",
        "<iframe srcdoc=\"<script>parent.__xss(N)</script>\"></iframe>",
        "<a href=\"javascript:__xss(N)\">click</a>",
        "<details open ontoggle=__xss(N)>",
        "<input autofocus onfocus=__xss(N)>",
        "<select autofocus onfocus=__xss(N)>",
        "<textarea autofocus onfocus=__xss(N)>",
        "<video><source onerror=__xss(N)></video>",
        "<audio src=x onerror=__xss(N)>",
        "<object data=\"javascript:__xss(N)\">",
        "<embed src=\"javascript:__xss(N)\">",
        "<math><mtext><img src=x onerror=__xss(N)></mtext></math>",
        "<marquee onstart=__xss(N)>",
        "<div style=\"width:expression(__xss(N))\">",
        "<style>@import 'javascript:__xss(N)';</style>",
        "<link rel=stylesheet href=\"javascript:__xss(N)\">",
        "<meta http-equiv=\"refresh\" content=\"0;url=javascript:__xss(N)\">",
        "<form><button formaction=\"javascript:__xss(N)\">x</button></form>",
        "<isindex action=\"javascript:__xss(N)\">",
        "<base href=\"javascript:__xss(N)//\">",
        "<img src=x:x onerror=__xss&#40;N&#41;>",
        "<img src=x onerror=&#95;&#95;xss(N)>",
        "<img src=x onerror=\\u005f\\u005fxss(N)>",
        "<scr<script>ipt>__xss(N)</scr</script>ipt>",
        "<SCRIPT SRC=data:text/javascript,__xss(N)></SCRIPT>",
        "<img src=\"data:image/svg+xml,<svg onload=__xss(N)>\">",
        "<svg><animate onbegin=__xss(N) attributeName=x dur=1s>",
        "<svg><a xlink:href=\"javascript:__xss(N)\"><text x=20 y=20>x</text></a></svg>",
        "<template><img src=x onerror=__xss(N)></template>",
        "<noscript><p title=\"</noscript><img src=x onerror=__xss(N)>\">",
        "<table background=\"javascript:__xss(N)\">",
        "<img src=`x` onerror=`__xss(N)`>",
        "<img/src/onerror=__xss(N)>",
        "<img src=x onerror=window['__x'+'ss'](N)>",
        "javascript:__xss(N)",
        "data:text/html,<script>__xss(N)</script>",
        "\"><script>__xss(N)</script>",
        "'><img src=x onerror=__xss(N)>",
        "\" onmouseover=\"__xss(N)\" x=\"",
        "' autofocus onfocus='__xss(N)' x='",
        "</textarea><script>__xss(N)</script>",
        "</title><script>__xss(N)</script>",
        "<!--<img src=\"--><img src=x onerror=__xss(N)//\">",
        "${__xss(N)}",
        "{{constructor.constructor('__xss(N)')()}}",
        "<x contenteditable onfocus=__xss(N) autofocus>",
        "<img src=x onerror=eval(atob('X194c3MoTik='))>",
    ];

    private static readonly string[] Wrappers = ["{0}", "Hello {0} there", "<b>{0}</b>", "{0}\n{0}"];

    /// <summary>All payloads, numbered from 1 (the number is what <c>__xss</c> receives).</summary>
    public static IReadOnlyList<string> Payloads { get; } = Build();

    private static List<string> Build()
    {
        var list = new List<string>();
        foreach (var wrapper in Wrappers)
        {
            foreach (var vector in Vectors)
            {
                var n = list.Count + 1;
                list.Add(string.Format(System.Globalization.CultureInfo.InvariantCulture, wrapper, vector.Replace("N", n.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal)));
            }
        }
        return list;
    }
}
