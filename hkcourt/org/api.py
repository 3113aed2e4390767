"""Read-only REST endpoints for the organisation. Every queryset starts from visible_to(user)."""

from rest_framework import serializers, viewsets

from .models import Court, Division, Person, Post


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """A read-only viewset whose rows are the user's scope: out-of-scope objects answer 404."""

    model = None
    select_related: tuple = ()

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user).select_related(*self.select_related)


class CourtSerializer(serializers.ModelSerializer):
    class Meta:
        model = Court
        fields = ["id", "name", "short_name", "code", "level", "parent"]


class DivisionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Division
        fields = ["id", "court", "name", "kind"]


class PostSerializer(serializers.ModelSerializer):
    class Meta:
        model = Post
        fields = ["id", "division", "name", "is_key_post"]


class PersonSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)

    class Meta:
        model = Person
        fields = ["id", "username", "full_name", "court", "division", "post", "title"]


class CourtViewSet(ScopedReadOnlyViewSet):
    model = Court
    serializer_class = CourtSerializer


class DivisionViewSet(ScopedReadOnlyViewSet):
    model = Division
    serializer_class = DivisionSerializer


class PostViewSet(ScopedReadOnlyViewSet):
    model = Post
    serializer_class = PostSerializer


class PersonViewSet(ScopedReadOnlyViewSet):
    model = Person
    serializer_class = PersonSerializer
    select_related = ("user",)


def register(router):
    router.register("courts", CourtViewSet, basename="court")
    router.register("divisions", DivisionViewSet, basename="division")
    router.register("posts", PostViewSet, basename="post")
    router.register("people", PersonViewSet, basename="person")
