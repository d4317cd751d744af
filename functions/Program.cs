using Parley.Functions.Abuse;
using Parley.Functions.Accounts;
using Parley.Functions.ApiKeys;
using Parley.Functions.Appointments;
using Parley.Functions.Booking;
using Parley.Functions.Calls;
using Parley.Functions.Chat;
using Parley.Functions.Cases;
using Parley.Functions.Common;
using Parley.Functions.Conversations;
using Parley.Functions.CustomFields;
using Parley.Functions.Dialogs;
using Parley.Functions.Durable;
using Parley.Functions.Hosting;
using Parley.Functions.Idempotency;
using Parley.Functions.Identity;
using Parley.Functions.Maintenance;
using Parley.Functions.Meetings;
using Parley.Functions.Notifications;
using Parley.Functions.OpenApi;
using Parley.Functions.Operators;
using Parley.Functions.Presence;
using Parley.Functions.Storage;
using Parley.Functions.Webhooks;
using Parley.Functions.Workflows;

// Parley: one ASP.NET Core app, hosted as an Azure Functions custom handler or standalone (see README).
var builder = WebApplication.CreateBuilder(args);
builder.AddParleyHosting();

builder.Services.AddStorage();
builder.Services.AddWorkflows();
builder.Services.AddDurable();
builder.Services.AddMaintenance();
builder.Services.AddIdentity();
builder.Services.AddIdempotency();
builder.Services.AddCases();
builder.Services.AddNotifications();
builder.Services.AddAbuseGuard();
builder.Services.AddCalls();
builder.Services.AddDialogs();
builder.Services.AddMeetings(builder.Configuration);
builder.Services.AddBooking();
builder.Services.AddPresence();
builder.Services.AddChat();
builder.Services.AddWebhooks();
builder.Services.AddParleyOpenApi();

var app = builder.Build();
app.UseParleyHosting();
app.UseIdentity();
app.UseChatCors();
app.UseIdempotency(); // after authorization: needs the endpoint and the account
app.MapPlatformEndpoints();

var api = app.MapGroup("/api");
api.MapAccountEndpoints();
api.MapAuthEndpoints();
api.MapOperatorEndpoints();
api.MapApiKeyEndpoints();
api.MapCustomFieldEndpoints();
api.MapCaseEndpoints();
api.MapAppointmentEndpoints();
api.MapNotificationEndpoints();
api.MapCallEndpoints();
api.MapDialogs();
api.MapMeetingEndpoints();
api.MapMeetingOperatorEndpoints();
api.MapConversationEndpoints();
api.MapBooking();
api.MapPresence();
api.MapChat();
api.MapWebhookEndpoints();
api.MapPhoneCountryEndpoints();
api.MapAbuseEndpoints();
app.MapParleyOpenApi();

return await app.RunParleyAsync();

/// <summary>Entry point, visible to WebApplicationFactory in tests.</summary>
public partial class Program;
