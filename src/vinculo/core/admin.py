from django.contrib import admin

from vinculo.core.models import AuditEntry, DomainEvent, EventDelivery


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "workspace", "actor_label", "action", "object_type", "source"]
    list_filter = ["source", "action"]
    search_fields = ["actor_label", "object_repr", "object_id"]

    def has_change_permission(self, request, obj=None):
        return False


class DeliveryInline(admin.TabularInline):
    model = EventDelivery
    extra = 0
    readonly_fields = ["consumer", "status", "attempts", "next_attempt_at", "last_error"]


@admin.register(DomainEvent)
class DomainEventAdmin(admin.ModelAdmin):
    list_display = ["id", "name", "workspace", "subject_type", "subject_id", "occurred_at"]
    list_filter = ["name"]
    inlines = [DeliveryInline]


@admin.register(EventDelivery)
class EventDeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "consumer", "event", "status", "attempts", "next_attempt_at"]
    list_filter = ["status", "consumer"]
