// "Add a member": copy the empty form of a Django formset and count it in TOTAL_FORMS.
document.querySelectorAll("[data-add-form]").forEach(function (button) {
  var prefix = button.dataset.addForm;
  button.addEventListener("click", function () {
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById("member-template");
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    document.getElementById("member-forms").insertAdjacentHTML("beforeend", html);
    total.value = index + 1;
  });
});
